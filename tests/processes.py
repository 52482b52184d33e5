"""The real servers the tests start (clamd, Dovecot, the S3 server) are stopped one way."""

import subprocess


def stop(process: subprocess.Popen) -> None:  # type: ignore[type-arg]
    """Ask the process to end, and kill it if it has not within ten seconds."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
