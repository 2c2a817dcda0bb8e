"""gunicorn for the web process: `gunicorn -c deploy/gunicorn.conf.py config.wsgi` (issue 15).

Sync workers: one request and at most one database connection per worker process (CONN_MAX_AGE keeps it
open between requests), so a host's PostgreSQL share is exactly WEB_CONCURRENCY. See README, "Running on several
hosts", for the connection budget.
"""

import multiprocessing
import os

bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * multiprocessing.cpu_count())))
worker_class = "sync"
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))  # a request that takes longer is stuck: kill and log it
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT", "30"))  # SIGTERM / HUP: finish requests in flight
keepalive = 5  # behind a load balancer that keeps connections open
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "2000"))  # recycle workers slowly against leaks
max_requests_jitter = max_requests // 10
# The balancer or reverse proxy in front sets X-Forwarded-Proto; trust it only from these addresses.
forwarded_allow_ips = os.environ.get("WEB_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("WEB_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
proc_name = "flightops-web"
preload_app = False  # each worker imports the app itself: `kill -HUP` reloads new code without dropping requests
# No control socket (gunicorn 25+ opens one at $XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl): reloads are `kill -HUP`,
# and two instances on one machine (an upgrade side by side, the multi-host test) would claim the same path.
control_socket_disable = True
