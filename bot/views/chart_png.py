"""The weekly chart as a PNG: grouped bars (claims, qualifying follow-ups, wins) per rep. Pure: data in,
PNG bytes out.

This module imports matplotlib, so only the delivery path imports it (lazily): the server's start-up
time and memory don't grow. It draws with the object-oriented API on an Agg canvas (no pyplot, no global
figure state, never a display). Text is drawn only in fonts that have its glyphs
(docs/decisions/0014-the-weekly-chart.md): DejaVu Sans, bundled with matplotlib, has no Chinese, so a
name it can't draw is shown as the rep's user id and the picture's own words fall back to English —
unless a CJK font is installed on the machine, which is then used as a fallback font.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


def _writable_config_dir() -> None:
    """matplotlib keeps its font cache under $HOME; a service user without a writable home gets a temp dir
    (matplotlib would do the same, with a warning on every start)."""
    if os.environ.get("MPLCONFIGDIR"):
        return
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    try:
        cache.mkdir(parents=True, exist_ok=True)
        if os.access(cache, os.W_OK):
            return
    except OSError:
        pass
    os.environ["MPLCONFIGDIR"] = str(Path(tempfile.gettempdir()) / f"claimbot-matplotlib-{os.getuid()}")


_writable_config_dir()

from matplotlib import font_manager, ft2font, rc_context  # noqa: E402 (after the config dir is settled)
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from bot.i18n import t  # noqa: E402
from bot.results.weekly_chart import ChartRow, WeeklyChart  # noqa: E402
from bot.views.digest import number  # noqa: E402

SERIES = ("claims", "followups", "wins")
COLORS = {"claims": "#2563eb", "followups": "#f59e0b", "wins": "#16a34a"}  # distinct from text, grid, axes
BASE_FONT = "DejaVu Sans"  # ships inside matplotlib: always there
# Installed CJK fonts to fall back on, best first (Debian: fonts-noto-cjk, fonts-wqy-microhei, …).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
             "WenQuanYi Zen Hei", "Droid Sans Fallback", "AR PL UMing CN", "Microsoft YaHei", "SimHei",
             "PingFang SC")
DPI = 100
BAR_WIDTH = 0.26  # three bars fill 0.78 of a rep's slot; the gap tells the reps apart


@dataclass(frozen=True)
class Fonts:
    """Font families in fallback order, and every code point they can draw."""

    families: tuple[str, ...]
    covered: frozenset[int]

    def renders(self, text: str) -> bool:
        return all(ch.isspace() or ord(ch) in self.covered for ch in text)


@dataclass(frozen=True)
class Bar:
    rep: str
    series: str  # claims | followups | wins
    value: float
    color: str


@dataclass(frozen=True)
class Rendered:
    png: bytes
    bars: tuple[Bar, ...]  # every drawn bar (a zero is drawn with no height)
    labels: dict[str, str]  # rep → what the picture calls them
    language: str  # of the picture's own words
    size: tuple[int, int]  # width, height in pixels


def _charmap(path: str) -> frozenset[int]:
    return frozenset(ft2font.FT2Font(path).get_charmap())


@lru_cache(maxsize=1)
def base_fonts() -> Fonts:
    """DejaVu Sans alone: what matplotlib always has."""
    base = font_manager.findfont(font_manager.FontProperties(family=BASE_FONT), fallback_to_default=False)
    return Fonts((BASE_FONT,), _charmap(base))


@lru_cache(maxsize=1)
def installed_fonts() -> Fonts:
    """DejaVu Sans, plus the first installed CJK font when there is one."""
    base = base_fonts()
    installed = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    cjk = next((name for name in CJK_FONTS if name in installed), None)
    if cjk is None:
        return base
    return Fonts((*base.families, cjk), base.covered | _charmap(installed[cjk]))


def label_for(row: ChartRow, fonts: Fonts) -> str:
    """The rep's display name when every glyph of it can be drawn, else their Slack user id."""
    return row.name if row.name and fonts.renders(row.name) else row.rep


def picture_language(lang: str, fonts: Fonts) -> str:
    """The team's language for the picture's words when the fonts can draw them, else English."""
    keys = ("weekly.chart.title", "weekly.chart.empty", *(f"weekly.chart.{s}" for s in SERIES))
    sample = {"week": "2026-W01", "first": "2026-01-01", "last": "2026-01-07"}
    return lang if all(fonts.renders(t(k, lang, **sample)) for k in keys) else "en"


def render(chart: WeeklyChart, lang: str, fonts: Fonts | None = None) -> Rendered:
    fonts = fonts or installed_fonts()
    words = picture_language(lang, fonts)
    labels = {row.rep: label_for(row, fonts) for row in chart.rows}
    n = len(chart.rows)
    width_in = min(20.0, max(6.0, 1.1 * n + 2.0))
    with rc_context({"font.family": list(fonts.families)}):
        fig = Figure(figsize=(width_in, 4.8), dpi=DPI, layout="constrained")
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        fig.suptitle(t("weekly.chart.title", words, week=chart.week, first=chart.first, last=chart.last))
        bars: list[Bar] = []
        for i, series in enumerate(SERIES):
            values = [float(getattr(row, series)) for row in chart.rows]
            offset = (i - 1) * BAR_WIDTH
            drawn = ax.bar([x + offset for x in range(n)], values, BAR_WIDTH, color=COLORS[series],
                           label=t(f"weekly.chart.{series}", words), linewidth=0)
            ax.bar_label(drawn, labels=[number(v) if v else "" for v in values], padding=2, fontsize=8)
            bars += [Bar(row.rep, series, v, COLORS[series]) for row, v in zip(chart.rows, values, strict=True)]
        ax.set_xticks(range(n), [labels[row.rep] for row in chart.rows], rotation=30 if n > 6 else 0,
                      ha="right" if n > 6 else "center")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_ylim(bottom=0)
        if n:
            fig.legend(loc="outside lower center", ncols=len(SERIES), frameon=False)
            ax.margins(y=0.12)  # room for the value labels
        else:
            ax.set_axis_off()
            ax.text(0.5, 0.5, t("weekly.chart.empty", words), ha="center", va="center", transform=ax.transAxes)
        buffer = io.BytesIO()
        canvas.print_png(buffer)
        size = canvas.get_width_height()
    return Rendered(buffer.getvalue(), tuple(bars), labels, words, (int(size[0]), int(size[1])))
