#!/usr/bin/python3
"""A small city-brain consumer for edge-gateway nodes (docs/integration-guide.md).

Subscribes to every node under a topic prefix with QoS 1 and a persistent session, stores each
reading and event once per (node, seq) in SQLite, writes evidence snapshots to files, and on exit
prints what it received and which seqs are still missing outside the ranges that buffer.dropped
events name. Needs Debian's python3-paho-mqtt (1.6).

    /usr/bin/python3 docs/examples/city_brain_consumer.py --host 127.0.0.1 --port 1883 --seconds 60
"""
import argparse
import json
import os
import signal
import sqlite3
import sys
import time

import paho.mqtt.client as mqtt


def open_db(path):
    # One connection, used by the MQTT thread while running and by the main thread for the report.
    db = sqlite3.connect(path, check_same_thread=False)
    db.executescript("""
        CREATE TABLE IF NOT EXISTS records (
            node TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL,
            PRIMARY KEY (node, seq));
        CREATE TABLE IF NOT EXISTS dropped (node TEXT NOT NULL, from_seq INTEGER NOT NULL, to_seq INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS snapshots (node TEXT NOT NULL, seq INTEGER NOT NULL, path TEXT NOT NULL,
            PRIMARY KEY (node, seq));
    """)
    return db


class Consumer:
    def __init__(self, args):
        self.args = args
        self.db = open_db(args.db)
        self.new = 0
        self.duplicates = 0

    def store(self, node, seq, kind, body):
        """True when (node, seq) is new; a redelivered record has the same seq and is ignored."""
        cursor = self.db.execute("INSERT OR IGNORE INTO records VALUES (?, ?, ?, ?)",
                                 (node, seq, kind, json.dumps(body, ensure_ascii=False)))
        if cursor.rowcount == 1:
            self.new += 1
            return True
        self.duplicates += 1
        return False

    def on_message(self, client, userdata, msg):
        rest = msg.topic[len(self.args.prefix) + 1:].split("/")
        node, kind = rest[0], rest[1]
        if kind == "snapshots":
            self.on_snapshot(node, int(rest[2]), msg.payload)
            return
        if kind.startswith("cmd"):
            return
        try:
            body = json.loads(msg.payload)
        except ValueError:
            print(f"{node} {kind}: not JSON, ignored", flush=True)
            return
        if kind == "telemetry":
            readings = body["readings"]
            fresh = [r for r in readings if self.store(node, r["seq"], "reading", r)]
            unsynced = sum(1 for r in readings if r.get("clock") == "unsynced")
            print(f"{node} telemetry seq {readings[0]['seq']}-{readings[-1]['seq']}: "
                  f"{len(fresh)} new, {len(readings) - len(fresh)} duplicate"
                  + (f", {unsynced} with clock unsynced" if unsynced else ""), flush=True)
        elif kind == "events":
            fresh = self.store(node, body["seq"], "event", body)
            if fresh and body["type"] == "buffer.dropped":
                d = body["data"]
                self.db.execute("INSERT INTO dropped VALUES (?, ?, ?)", (node, d["fromSeq"], d["toSeq"]))
            print(f"{node} event seq {body['seq']} {body['type']} {json.dumps(body['data'], ensure_ascii=False)}"
                  + ("" if fresh else " (duplicate)"), flush=True)
        elif kind == "status":
            print(f"{node} status {body['state']} (version {body.get('version')})", flush=True)
        elif kind == "health":
            print(f"{node} health clock {body['clock']}, backlog {body['backlog']['records']}, "
                  f"dropped {body['droppedTotal']}", flush=True)
        self.db.commit()

    def on_snapshot(self, node, seq, jpeg):
        folder = os.path.join(self.args.snapshots, node)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"{seq}.jpg")
        if os.path.exists(path):
            print(f"{node} snapshot of event {seq}: duplicate", flush=True)
            return
        # Write then rename: a crash never leaves half a JPEG under the final name.
        with open(path + ".tmp", "wb") as f:
            f.write(jpeg)
        os.replace(path + ".tmp", path)
        self.db.execute("INSERT OR IGNORE INTO snapshots VALUES (?, ?, ?)", (node, seq, path))
        self.db.commit()
        print(f"{node} snapshot of event {seq}: {len(jpeg)} bytes -> {path}", flush=True)

    def report(self):
        print(f"received {self.new} new record(s), {self.duplicates} duplicate(s)")
        for node, low, high, count in self.db.execute(
                "SELECT node, MIN(seq), MAX(seq), COUNT(*) FROM records GROUP BY node"):
            dropped = self.db.execute("SELECT from_seq, to_seq FROM dropped WHERE node = ?", (node,)).fetchall()
            have = {s for (s,) in self.db.execute("SELECT seq FROM records WHERE node = ?", (node,))}
            # Seqs before the first one seen predate this consumer's session: count from there.
            missing = [s for s in range(low, high + 1)
                       if s not in have and not any(a <= s <= b for a, b in dropped)]
            print(f"{node}: seq {low}..{high}, {count} stored, {len(dropped)} dropped range(s), "
                  f"{len(missing)} missing" + (f" (first {missing[:10]})" if missing else ""))


def stop(signum, frame):
    raise KeyboardInterrupt


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1883)
    parser.add_argument("--prefix", default="city", help="mqtt.topicPrefix of the nodes")
    parser.add_argument("--client-id", default="city-brain-example")
    parser.add_argument("--db", default="brain.db")
    parser.add_argument("--snapshots", default="snapshots")
    parser.add_argument("--seconds", type=float, default=0, help="stop after this long (0: until Ctrl+C)")
    args = parser.parse_args()

    consumer = Consumer(args)
    # clean_session=False: the broker keeps the subscription and queues QoS 1 messages while
    # this consumer is away, so a restart of the consumer loses nothing either.
    client = mqtt.Client(client_id=args.client_id, clean_session=False, protocol=mqtt.MQTTv311)
    client.on_connect = lambda c, u, flags, rc: c.subscribe(f"{args.prefix}/#", qos=1)
    client.on_message = consumer.on_message
    client.connect(args.host, args.port, keepalive=60)
    signal.signal(signal.SIGTERM, stop)
    client.loop_start()
    deadline = time.monotonic() + args.seconds
    try:
        while args.seconds <= 0 or time.monotonic() < deadline:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        client.disconnect()
        client.loop_stop()
    consumer.report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
