import pytest


@pytest.mark.browser
def test_sign_in_page_renders_in_chromium(live_server, page, transactional_db):
    page.goto(live_server.url + "/sign-in/")
    heading = page.get_by_role("heading", level=1)
    assert "Sign in" in heading.inner_text()
