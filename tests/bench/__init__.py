"""`make bench`. The campaign it runs is next October's, so that every workshop is still ahead."""

import datetime as _dt

_today = _dt.date.today()
YEAR = _today.year + (1 if _today >= _dt.date(_today.year, 10, 1) else 0)
CAMPAIGN = f"bench-{YEAR}"
