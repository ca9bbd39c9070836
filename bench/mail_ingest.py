"""Mail ingest over SMTP on loopback: sustained throughput and latency to the committed customer.

Sends synthetic ISO-2022-JP SUUMO inquiry mails (each a new person) to a running inbox:

- throughput: RENKEI_BENCH_MAILS mails (default 5,000) from 8 concurrent clients as fast as the
  inbox takes them, until every one is committed: sustained messages per second. Each client
  waits for its 250 (an fsync and a commit away) before sending again, so too few clients
  measure that wait rather than what the inbox can take; a relay in front of the inbox delivers
  over several connections at once (Postfix: up to 20 to one destination). With 4 clients the
  figure is about a fifth lower;
- latency: mails at a steady 50 per second; for each, the time from the start of its SMTP
  transaction (so the end of DATA and the landing before the 250 are inside it) to the moment its
  delivery is finished (``processed_at``, set just before the commit): p50 and p99;
- baseline: aiosmtpd accepting and discarding the same mails, same clients.

The clients run in a process of their own (as senders do, on other machines), so the inbox's
process is measured without them; the baseline's server is measured the same way.

Writes ``mail_ingest`` into bench/results/latest.json.
"""

from __future__ import annotations

import json
import os
import pickle
import smtplib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC
from email.header import Header
from email.mime.text import MIMEText
from email.utils import make_msgid
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "latest.json"
CLIENTS = 8

BODY = """株式会社サンプル不動産　御中

以下の内容で反響がありました。

━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
■反響情報
━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
反響到着日時 2026/08/12 02:04:10
ID：B{n:010d}
お問合せ企画：賃貸

問合せ物件
物件種別：賃貸マンション
物件名：サンプルハイツ　{room}号室
物件コード：1000{n:08d}
賃料：12.5万円
間取り：1LDK

お客様プロフィール
名前（漢字）：{family}　{given}
名前（カナ）：ヤマダ　タロウ
メールアドレス：bench{n}@example.jp
ＴＥＬ：090-{a:04d}-{b:04d}
お問合せ内容：
内見を希望します。
━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
"""
FAMILY = ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村"]
GIVEN = ["太郎", "花子", "一郎", "美咲", "健太", "陽子", "大輔", "直子"]


def mail(n: int, to: str) -> bytes:
    body = BODY.format(
        n=n, room=100 + n % 900, family=FAMILY[n % 8], given=GIVEN[(n // 8) % 8], a=1000 + n // 10000, b=n % 10000
    )
    message = MIMEText(body, "plain", "iso-2022-jp")
    message["Subject"] = Header("[リクルートＪＤＳ]反響お知らせメール", "iso-2022-jp")
    message["From"] = "system@jds.suumo.jp"
    message["To"] = to
    message["Message-ID"] = make_msgid(domain="bench.example.jp")
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def send_all(port: int, to: str, mails: list[bytes]) -> list[float]:
    """Send from CLIENTS connections; returns each mail's end-of-DATA time (epoch seconds)."""
    ends = [0.0] * len(mails)

    def client(offset: int) -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
            for i in range(offset, len(mails), CLIENTS):
                smtp.sendmail("system@jds.suumo.jp", [to], mails[i])
                ends[i] = time.time()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return ends


def send_steady(port: int, to: str, mails: list[bytes], rate: float) -> list[float]:
    ends = []
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
        start = time.perf_counter()
        for i, raw in enumerate(mails):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            # From before the transaction: includes MAIL/RCPT and the landing before the 250.
            ends.append(time.time())
            smtp.sendmail("system@jds.suumo.jp", [to], raw)
    return ends


def send_elsewhere(port: int, to: str, mails: list[bytes], rate: float | None = None) -> tuple[float, list[float]]:
    """``send_all`` (or ``send_steady`` at ``rate``) from a client process of its own.

    Returns when the clients began (epoch seconds, after the process started) and each mail's time.
    """
    with tempfile.NamedTemporaryFile(prefix="renkei-bench-mails-", suffix=".pickle") as batch:
        pickle.dump({"port": port, "to": to, "mails": mails, "rate": rate}, batch)
        batch.flush()
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--send", batch.name],
            capture_output=True,
            text=True,
            check=True,
        )
    began, times = json.loads(done.stdout)
    return float(began), times


def _client_process(path: str) -> int:
    """The client side of ``send_elsewhere``: send, then print each mail's time as JSON."""
    with open(path, "rb") as source:
        job = pickle.load(source)
    began = time.time()
    if job["rate"] is None:
        times = send_all(job["port"], job["to"], job["mails"])
    else:
        times = send_steady(job["port"], job["to"], job["mails"], job["rate"])
    print(json.dumps([began, times]))
    return 0


def committed_times(hub: object, first: int, count: int) -> list[float]:
    """processed_at (epoch) of deliveries ``first`` .. ``first+count-1``, waiting until all are done.

    It polls with a count (cheap: this runs in the inbox's own process), and reads the times once.
    """
    from sqlalchemy import func, select

    from renkei.store.schema import deliveries

    engine = hub.engine  # type: ignore[attr-defined]
    done = select(func.count()).where(deliveries.c.id >= first, deliveries.c.state != "received")
    for _ in range(6000):
        with engine.connect() as conn:
            finished = conn.execute(done).scalar_one()
        if finished >= count:
            break
        time.sleep(0.1)
    else:
        raise SystemExit("mails were not all processed within 10 minutes")
    with engine.connect() as conn:
        rows = conn.execute(
            select(deliveries.c.processed_at)
            .where(deliveries.c.id >= first, deliveries.c.state != "received")
            .order_by(deliveries.c.id)
            .limit(count)
        ).all()
    return [
        (r.processed_at.replace(tzinfo=UTC) if r.processed_at.tzinfo is None else r.processed_at).timestamp()
        for r in rows
    ]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def baseline(mails: list[bytes]) -> float:
    from aiosmtpd.controller import Controller

    class Discard:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            return "250 OK"

    port = free_port()
    controller = Controller(Discard(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        began, ends = send_elsewhere(port, "x@inbox.localhost", mails)
        return len(mails) / (max(ends) - began)
    finally:
        controller.stop()


def main() -> int:
    from renkei.channels.smtp import make_controller
    from renkei.pipeline import integrations as integration_service
    from renkei.pipeline.hub import Hub
    from renkei.pipeline.mail import inbox_address

    count = int(os.environ.get("RENKEI_BENCH_MAILS", "5000"))
    if int(os.environ.get("RENKEI_BENCH_ROWS", "1000000")) < 10000:
        count = min(count, 200)  # the tiny CI run
    steady = max(50, min(1000, count // 5))
    with tempfile.TemporaryDirectory(prefix="renkei-mail-bench-") as folder:
        hub = Hub.open("default", url=f"sqlite:///{folder}/renkei.db", home=Path(folder))
        suumo = integration_service.add_integration(hub, {"name": "bench", "kind": "suumo"})
        to = inbox_address(suumo)
        mails = [mail(n, to) for n in range(count + steady)]
        base = baseline(mails[:count])
        port = free_port()
        controller = make_controller(hub, "127.0.0.1", port, 25 << 20)
        controller.start()
        try:
            began, _ = send_elsewhere(port, to, mails[:count])
            last_commit = max(committed_times(hub, 1, count))
            throughput = count / (last_commit - began)
            _, ends = send_elsewhere(port, to, mails[count:], 50.0)
            commits = committed_times(hub, count + 1, steady)
        finally:
            controller.stop()
            hub.close()
    latencies = sorted(max(0.0, c - e) * 1000 for c, e in zip(commits, ends, strict=True))
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    figures = {
        "mails": count,
        "msgs_per_s": round(throughput, 1),
        "baseline_msgs_per_s": round(base, 1),
        "p50_ms": round(p50, 1),
        "p99_ms": round(p99, 1),
        "latency_mails_at_50_per_s": steady,
    }
    for key, value in figures.items():
        print(f"{key:<28}{value!s:>12}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    existing["mail_ingest"] = figures
    RESULTS.write_text(json.dumps(existing, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--send":
        sys.exit(_client_process(sys.argv[2]))
    sys.exit(main())
