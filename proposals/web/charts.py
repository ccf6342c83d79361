"""Charts drawn on the server as inline SVG: no script, no web font, no internet (closed
government networks), readable on a phone (the SVG scales to its column) and by a screen
reader (role="img" with a title and, beside each chart, the same numbers as text)."""

from markupsafe import Markup, escape

PALETTE = ("#a4161a", "#0b5ed7", "#0f766e", "#b7791f", "#6c757d", "#6f42c1")
WIDTH = 400


def _num(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


def bar_chart(items, *, title, colors=None, fmt=_num, testid=None):
    """Horizontal bars: ``items`` is a list of (label, value); each label sits above its bar so
    that long Chinese unit names fit a 375-px screen."""
    items = [(str(label), value or 0) for label, value in items]
    top = max([v for _l, v in items] + [0]) or 1
    row, bar = 34, 14
    height = max(row * len(items), row)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}"'
        + (f' data-testid="{escape(testid)}"' if testid else "")
        + ">",
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(items):
        y = i * row
        width = round((WIDTH - 60) * value / top, 1)
        color = colors[i % len(colors)] if colors else PALETTE[0]
        parts.append(
            f'<text x="0" y="{y + 12}" font-size="12" fill="#212529">{escape(label)}</text>'
        )
        parts.append(
            f'<rect x="0" y="{y + 16}" width="{width}" height="{bar}" rx="2" '
            f'fill="{color}"><title>{escape(label)}: {escape(fmt(value))}</title></rect>'
        )
        parts.append(
            f'<text x="{width + 4}" y="{y + 28}" font-size="12" fill="#212529">'
            f"{escape(fmt(value))}</text>"
        )
    if not items:
        parts.append('<text x="0" y="20" font-size="12" fill="#6c757d">—</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # nosec B704  # text escape()d; numbers, fixed colours


def line_chart(labels, series, *, title, testid=None):
    """Lines over the months: ``series`` is a list of (name, [values]) with one value per label;
    a legend under the plot names each line."""
    height, left, right, top_pad, bottom = 200, 30, 10, 10, 40
    plot_w, plot_h = WIDTH - left - right, height - top_pad - bottom
    top = max([v or 0 for _n, values in series for v in values] + [0]) or 1
    step = plot_w / max(len(labels) - 1, 1)
    parts = [
        f'<svg class="chart chart-line" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}"'
        + (f' data-testid="{escape(testid)}"' if testid else "")
        + ">",
        f"<title>{escape(title)}</title>",
    ]
    base = top_pad + plot_h
    parts.append(
        f'<line x1="{left}" y1="{base}" x2="{WIDTH - right}" y2="{base}" stroke="#adb5bd"/>'
    )
    parts.append(
        f'<text x="{left - 4}" y="{top_pad + 8}" font-size="10" text-anchor="end" '
        f'fill="#6c757d">{top}</text>'
    )
    parts.append(
        f'<text x="{left - 4}" y="{base}" font-size="10" text-anchor="end" fill="#6c757d">0</text>'
    )
    for i, label in enumerate(labels):
        parts.append(
            f'<text x="{round(left + i * step, 1)}" y="{base + 14}" font-size="10" '
            f'text-anchor="middle" fill="#6c757d">{escape(label)}</text>'
        )
    for k, (name, values) in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        points = " ".join(
            f"{round(left + i * step, 1)},{round(base - plot_h * (v or 0) / top, 1)}"
            for i, v in enumerate(values)
        )
        parts.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>')
        for i, v in enumerate(values):
            parts.append(
                f'<circle cx="{round(left + i * step, 1)}" '
                f'cy="{round(base - plot_h * (v or 0) / top, 1)}" r="2.5" '
                f'fill="{color}"><title>{escape(labels[i])} {escape(name)}: '
                f"{escape(_num(v or 0))}</title></circle>"
            )
        x = left + k * 140
        parts.append(f'<rect x="{x}" y="{height - 14}" width="12" height="4" fill="{color}"/>')
        parts.append(
            f'<text x="{x + 16}" y="{height - 9}" font-size="11" fill="#212529">'
            f"{escape(name)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # nosec B704  # text escape()d; numbers, fixed colours
