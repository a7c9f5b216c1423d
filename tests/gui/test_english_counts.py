"""English counts in the window: "1 page", "1 day left", never "1 pages" or "1 days"."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from gui.pages.portals.consent import ConsentDialog
from gui.widgets.expiry import days_text
from helper.login.consent import CertChoice, ConsentRequest


def test_days_left_in_english_and_chinese(language):
    language("en")
    assert days_text("valid", 1) == "1 day left" and days_text("valid", 364) == "364 days left"
    assert days_text("expiring", 1) == "Expires in 1 day" and days_text("expiring", 7) == "Expires in 7 days"
    language("zh")
    assert days_text("valid", 1) == "剩余 1 天" and days_text("expiring", 7) == "7 天后到期"


def test_one_page_file_in_the_seal_request(language, qtbot):
    language("en")
    choice = CertChoice("a", "Example Co", "Zhang San", "Example CA", "2027-01-01", "Key")
    for pages, text in ((1, "File: a.pdf (1 page)"), (3, "File: a.pdf (3 pages)")):
        dialog = ConsentDialog(ConsentRequest("sign_pdf", "https://x.example", "", (choice,), file_name="a.pdf",
                                              pages=pages))
        qtbot.addWidget(dialog)
        assert text in [label.text() for label in dialog.findChildren(QLabel)]
