"""One XLSX export of the proposal list in a fresh process; prints the rows, the bytes and the
process's peak RSS (VmHWM) as JSON. Used by bench/run.py to show the export streams in
constant memory (the peak does not grow with the rows)."""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def peak_rss_mb(pid="self"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


def main(url, query):
    os.environ["DATABASE_URL"] = url
    from proposals import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    client.post("/login", data={"username": "bench_sec", "password": "bench-password"})
    before = peak_rss_mb()
    started = time.perf_counter()
    response = client.get("/proposals.xlsx?" + query, buffered=False)
    size = 0
    for chunk in response.response:
        size += len(chunk)
    response.close()
    seconds = time.perf_counter() - started
    rows = int(response.headers.get("X-Rows", "-1"))
    print(
        json.dumps(
            {
                "status": response.status_code,
                "rows": rows,
                "bytes": size,
                "seconds": round(seconds, 2),
                "rss_before_mb": round(before, 1),
                "peak_rss_mb": round(peak_rss_mb(), 1),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
