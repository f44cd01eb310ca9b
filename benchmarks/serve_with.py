"""Serve the default fixture with one named WSGI server (used by wsgi_servers.py)."""

from __future__ import annotations

import sys

from mock_canvas.app import create_app
from mock_canvas.settings import Settings


def main(server: str, port: int, threads: int) -> None:
    app = create_app(Settings())
    if server == "waitress":
        from waitress import serve

        serve(app, host="127.0.0.1", port=port, threads=threads, _quiet=True)
    elif server == "cheroot":
        from cheroot.wsgi import Server

        Server(("127.0.0.1", port), app, numthreads=threads).safe_start()
    elif server == "werkzeug":
        from werkzeug.serving import WSGIRequestHandler, make_server

        class Quiet(WSGIRequestHandler):
            def log_request(self, *args: object, **kwargs: object) -> None:
                pass

        make_server("127.0.0.1", port, app, threaded=True, request_handler=Quiet).serve_forever()
    elif server == "gunicorn":
        from gunicorn.app.base import BaseApplication

        class One(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                for key, value in {
                    "bind": f"127.0.0.1:{port}",
                    "workers": 1,
                    "threads": threads,
                    "worker_class": "gthread",
                    "loglevel": "warning",
                }.items():
                    self.cfg.set(key, value)

            def load(self) -> object:
                return app

        One().run()
    else:
        raise SystemExit(f"unknown server {server}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
