#!/usr/bin/python3
"""A loopback RTSP server for tests: one video file in an endless loop, in real time, at
rtsp://127.0.0.1:PORT/PATH, through GStreamer's gst-rtsp-server (Debian gir1.2-gst-rtsp-server-1.0,
python3-gi, gstreamer1.0-plugins-{base,good,bad}). Run it with Debian's /usr/bin/python3.

  rtsp_loop_server.py --port 8554 --path /cam --file street.mp4
  rtsp_loop_server.py --check     # exit 1 naming what is missing

The file is H.264 with its parameter sets in band (libx264 -x264-params repeat-headers=1).
ffmpeg plays it (-re -stream_loop -1, timestamps kept increasing across loops) as RTP to a
loopback UDP port; the RTSP server re-serves that live feed. GStreamer alone would not do:
a file source is sent as fast as the client reads it, and a segment-seek loop ends the session.
ffmpeg dies with this process (PR_SET_PDEATHSIG), so killing the server ends the stream.
Prints "listening rtsp://127.0.0.1:PORT/PATH" once the port is bound; runs until killed.
"""
import argparse
import ctypes
import shutil
import signal
import subprocess
import sys

ELEMENTS = ["udpsrc", "rtph264depay", "h264parse", "rtph264pay"]
PR_SET_PDEATHSIG = 1


def load():
    import gi
    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    from gi.repository import GLib, Gst, GstRtspServer
    Gst.init(None)
    return GLib, Gst, GstRtspServer


def check():
    try:
        _, gst, _ = load()
    except (ImportError, ValueError) as e:
        print(f"rtsp_loop_server: GStreamer RTSP server not available to {sys.executable}: {e}", file=sys.stderr)
        return 1
    missing = [name for name in ELEMENTS if gst.ElementFactory.find(name) is None]
    if shutil.which("ffmpeg") is None:
        missing.append("ffmpeg (command)")
    if missing:
        print(f"rtsp_loop_server: missing: {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


def die_with_parent():
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--port", type=int)
    parser.add_argument("--rtp-port", type=int, help="loopback UDP port of the ffmpeg feed (default: port + 1)")
    parser.add_argument("--path", default="/cam")
    parser.add_argument("--file")
    args = parser.parse_args()
    if args.check:
        return check()
    if args.port is None or args.file is None:
        parser.error("--port and --file are required")
    glib, _, rtsp = load()
    rtp_port = args.rtp_port or args.port + 1
    feed = subprocess.Popen(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", args.file,
         "-an", "-c:v", "copy", "-f", "rtp", f"rtp://127.0.0.1:{rtp_port}?pkt_size=1200"],
        preexec_fn=die_with_parent)
    server = rtsp.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    factory = rtsp.RTSPMediaFactory()
    factory.set_launch(
        f'( udpsrc address=127.0.0.1 port={rtp_port} '
        f'caps="application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=96" '
        f"! rtph264depay ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1 )")
    # One pipeline for every client: a reconnecting reader joins the running feed.
    factory.set_shared(True)
    server.get_mount_points().add_factory(args.path, factory)
    if server.attach(None) == 0:
        print(f"rtsp_loop_server: cannot listen on 127.0.0.1:{args.port}", file=sys.stderr)
        feed.kill()
        return 1
    loop = glib.MainLoop()
    glib.unix_signal_add(glib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    print(f"listening rtsp://127.0.0.1:{args.port}{args.path}", flush=True)
    try:
        loop.run()
    finally:
        feed.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
