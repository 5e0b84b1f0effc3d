"""`renku-fed up`'s supervisor over stand-in services (http.server answering /healthz)."""

from __future__ import annotations

import sys
from pathlib import Path

from renku_fed.cli.supervisor import Command, Service
from renku_fed.cli.up import PlatformLayout, run_platform


def stand_in(www: Path) -> Command:
    """A command that serves `www` (which holds `healthz`) on the service's port."""

    def command(service: Service) -> list[str]:
        port = str(service.port)
        return [sys.executable, "-m", "http.server", port, "-b", "127.0.0.1", "-d", str(www)]

    return command


def main() -> None:
    """Run the supervisor for `argv[1]` (data folder) on `argv[2]` (router port)."""
    data_dir, port = Path(sys.argv[1]), int(sys.argv[2])
    www = data_dir.parent / "www"
    www.mkdir(exist_ok=True)
    (www / "healthz").write_text("ok")
    layout = PlatformLayout("127.0.0.1", port, data_dir, workers=1)
    sys.exit(run_platform(layout, command=stand_in(www)))


if __name__ == "__main__":
    main()
