"""Expiry monitor: states, reminder thresholds shown once, superseded certificates, the daily check."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from helper.keys import KeyService
from helper.renewal.monitor import EXPIRED, ExpiryItem, ReminderStore, check, daily_reminders

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def item(days_left: int, cert_id: str = "c1", *, superseded: bool = False) -> ExpiryItem:
    state = "expired" if days_left < 0 else ("expiring" if days_left <= 90 else "valid")
    return ExpiryItem("S1", "U盾", cert_id, "石家庄示例科技有限公司", "张三", "示例CA",
                      NOW + dt.timedelta(days=days_left), days_left, state, superseded, True)


def test_each_threshold_is_reminded_once_smallest_first(tmp_path: Path) -> None:
    store = ReminderStore(tmp_path / "r.json")
    thresholds = (90, 30, 7)
    assert store.due([item(120)], thresholds) == []
    (first,) = store.due([item(80)], thresholds)
    assert first.threshold == 90 and "还有 80 天到期" in first.text()
    store.mark_shown([first], NOW)
    assert store.due([item(60)], thresholds) == []
    (second,) = store.due([item(6)], thresholds)  # jumped past 30: only the 7-day reminder
    assert second.threshold == 7
    store.mark_shown([second], NOW)
    assert store.due([item(3)], thresholds) == []
    (gone,) = store.due([item(-1)], thresholds)
    assert gone.threshold == EXPIRED and "已于" in gone.text() and "过期" in gone.text()


def test_superseded_certificates_get_no_reminders(tmp_path: Path) -> None:
    assert ReminderStore(tmp_path / "r.json").due([item(5, superseded=True)], (90, 30, 7)) == []


def test_daily_check_runs_once_a_day(tmp_path: Path, token_service, make_token) -> None:
    key = make_token(keys=(("rsa2048", "sign"),), days=25)
    store = ReminderStore(tmp_path / "r.json")
    now = dt.datetime.now(dt.UTC)
    mine = [r for r in daily_reminders(KeyService(token_service), store, now) if r.item.token_serial == key.serial]
    assert [r.threshold for r in mine] == [30]
    assert store.check_due(now + dt.timedelta(hours=23)) is False
    assert store.check_due(now + dt.timedelta(hours=25)) is True


def test_check_marks_older_certificate_of_renewed_unit_as_superseded(token_service, make_token, demo_pki) -> None:
    from helper.demo.pki import unit_name
    from tokenio.session import TokenSession

    key = make_token(keys=(("rsa2048", "sign"), ("rsa2048", "sign")), days=20)
    with token_service.session(key.serial, bytearray(key.pin.encode()), rw=True) as s:
        second = next(k for k in s.run(TokenSession.private_keys) if k.cka_id == key.keys[1].cka_id)
        newer = demo_pki.issue(second.public_key_info, unit_name(), days=700, not_before=dt.datetime.now(dt.UTC))
        s.run(TokenSession.delete_certificate, key.cert(1))
        s.run(TokenSession.import_certificate, newer, second.cka_id, "签名证书2")
    items = {i.days_left > 100: i for i in check(KeyService(token_service)) if i.token_serial == key.serial}
    assert items[False].superseded and items[False].state == "expiring"
    assert not items[True].superseded and items[True].state == "valid"


def test_demo_key_layout_marks_nothing_superseded(token_service, make_token) -> None:
    """RSA and EC signing certificates plus an encryption certificate issued moments apart: three items."""
    key = make_token()
    items = [i for i in check(KeyService(token_service)) if i.token_serial == key.serial]
    assert len(items) == 3 and not any(i.superseded for i in items)


def test_dual_certificate_key_signing_certificate_is_reminded_alone(tmp_path: Path, token_service, make_token,
                                                                     demo_pki) -> None:
    from renewal_kit import add_encryption_pair

    key = make_token(keys=(("rsa2048", "sign"),), days=20)
    add_encryption_pair(token_service, key, demo_pki, days=730)
    items = {i.is_signing: i for i in check(KeyService(token_service)) if i.token_serial == key.serial}
    assert not items[True].superseded and not items[False].superseded
    assert items[True].state == "expiring" and items[False].state == "valid"
    (reminder,) = ReminderStore(tmp_path / "r.json").due(items.values(), (90, 30, 7))
    assert reminder.item == items[True] and reminder.threshold == 30


def test_history_names_the_successor(token_service, make_token) -> None:
    """A renewal this helper installed for a new key pair supersedes the old certificate even where dates and
    key kinds alone would not tell (an EC key pair made for an RSA certificate)."""
    import hashlib

    key = make_token(keys=(("rsa2048", "sign"), ("ec-p256", "sign")), days=20)
    assert not any(i.superseded for i in check(KeyService(token_service)) if i.token_serial == key.serial)
    old, new = (hashlib.sha256(key.cert(n)).hexdigest() for n in (0, 1))
    history = [{"outcome": "completed", "renewed": old, "certificate": new}]
    items = {i.cert_id: i for i in check(KeyService(token_service), history=history) if i.token_serial == key.serial}
    assert items[old[:16]].superseded and not items[new[:16]].superseded
