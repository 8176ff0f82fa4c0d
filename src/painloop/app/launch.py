"""Start the app in a local Streamlit server: ``launch(port)``, ``painloop app`` or ``python -m painloop.app.launch``.

The server listens on 127.0.0.1 only, runs headless (opens no browser itself),
sends no usage statistics, accepts uploads up to 5 MB and shows no deploy button (toolbar mode minimal). Error details (exception types, messages,
tracebacks, server paths) never reach the browser (``client.showErrorDetails = "none"``; ``false`` would
still show tracebacks in Streamlit ≥ 1.4x); the pages show short messages (:func:`painloop.errors.user_message`).
"""

from __future__ import annotations

import argparse
import importlib.util
import signal
import subprocess
import sys
from pathlib import Path

MAIN = Path(__file__).with_name("main.py")
DEFAULT_PORT = 8501
MAX_UPLOAD_MB = 5


def command(port: int = DEFAULT_PORT) -> list[str]:
    """The command line that serves the app on ``http://127.0.0.1:PORT``."""
    if not 1 <= int(port) <= 65535:
        raise ValueError(f"port must be between 1 and 65535, got {port}")
    return [sys.executable, "-m", "streamlit", "run", str(MAIN),
            "--server.address", "127.0.0.1", "--server.port", str(int(port)), "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--server.maxUploadSize", str(MAX_UPLOAD_MB),
            "--client.showErrorDetails", "none", "--client.toolbarMode", "minimal"]


def launch(port: int = DEFAULT_PORT) -> int:
    """Serve the app until interrupted (Ctrl-C or SIGTERM, passed on to the server); returns its exit status."""
    cmd = command(port)
    if importlib.util.find_spec("streamlit") is None:
        print("painloop app needs Streamlit, which is not installed in this environment "
              "(pip install -r requirements.lock)", file=sys.stderr)
        return 2
    print(f"painloop app: http://127.0.0.1:{int(port)}  (Ctrl-C to stop)", flush=True)
    server = subprocess.Popen(cmd)

    def stop(signum: int, frame: object) -> None:
        server.terminate()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            try:
                return server.wait()
            except KeyboardInterrupt:
                server.terminate()
    finally:
        signal.signal(signal.SIGTERM, previous)
        if server.poll() is None:
            server.kill()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="TCP port on 127.0.0.1 (default 8501)")
    sys.exit(launch(parser.parse_args(argv).port))


if __name__ == "__main__":
    main()
