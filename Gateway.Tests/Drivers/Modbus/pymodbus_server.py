#!/usr/bin/python3
"""Modbus TCP / RTU server for the gateway's tests, on python3-pymodbus 3.0.

usage: pymodbus_server.py tcp PORT DATA.json [UNITS]
       pymodbus_server.py rtu+tcp PORT DATA.json [UNITS]   (RTU frames over TCP, like a serial server)
       pymodbus_server.py rtu DEVICE DATA.json [UNITS]

DATA.json: {"coils": [0,1,...], "discrete": [...], "input": [u16...], "holding": [u16...]},
each table starting at address 0 (PDU addressing); reads past the end get exception 2.
UNITS: comma-separated unit ids served (default 1); other unit ids get no answer.
Prints "ready" on stdout once the server is set up.
"""
import asyncio
import json
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusSlaveContext, ModbusServerContext
from pymodbus.server import StartAsyncSerialServer, StartAsyncTcpServer
from pymodbus.transaction import ModbusRtuFramer, ModbusSocketFramer


async def wait_listening(port, serving):
    for _ in range(500):
        if serving.done():
            serving.result()  # raises why the server could not start
            raise SystemExit("server stopped before listening")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.01)
    raise SystemExit(f"server not listening on port {port} after 5 s")


def main():
    mode, where, data_file = sys.argv[1], sys.argv[2], sys.argv[3]
    units = [int(u) for u in (sys.argv[4] if len(sys.argv) > 4 else "1").split(",")]
    with open(data_file, encoding="utf-8") as f:
        data = json.load(f)

    def block(name):
        values = data.get(name) or [0]
        return ModbusSequentialDataBlock(0, list(values))

    slaves = {
        u: ModbusSlaveContext(co=block("coils"), di=block("discrete"), ir=block("input"), hr=block("holding"), zero_mode=True)
        for u in units
    }
    context = ModbusServerContext(slaves=slaves, single=False)

    async def run():
        if mode in ("tcp", "rtu+tcp"):
            framer = ModbusSocketFramer if mode == "tcp" else ModbusRtuFramer
            server = await StartAsyncTcpServer(context=context, framer=framer, address=("127.0.0.1", int(where)),
                                               defer_start=True, allow_reuse_address=True, ignore_missing_slaves=True)
            # pymodbus 3.0 only binds and listens inside serve_forever(): "ready" must wait until a
            # client can really connect, or a test's first poll races the listen() call.
            serving = asyncio.ensure_future(server.serve_forever())
            await wait_listening(int(where), serving)
        else:
            server = await StartAsyncSerialServer(context=context, framer=ModbusRtuFramer, port=where, baudrate=19200,
                                                  defer_start=True, ignore_missing_slaves=True)
            await server.start()
            serving = asyncio.ensure_future(server.serve_forever())
        print("ready", flush=True)
        await serving

    asyncio.run(run())


if __name__ == "__main__":
    main()
