#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks that GTK 3 finds Herald's symbolic icons the way the app does (an icon directory
# appended to the theme's search path) and recolours them to the requested colour. TAP.

import sys

import gi

gi.require_version('Gdk', '3.0')
gi.require_version('Gtk', '3.0')
from gi.repository import Gdk, Gtk  # noqa: E402

FEEDS = ['skinshark', 'hashi', 'coinvoyage', 'dimes', 'pally']


def painted_colours(pixbuf):
    """Returns the colours of the pixels that are mostly opaque."""
    pixels = pixbuf.get_pixels()
    channels = pixbuf.get_n_channels()
    stride = pixbuf.get_rowstride()
    colours = set()
    if channels < 4:
        return None
    for y in range(pixbuf.get_height()):
        for x in range(pixbuf.get_width()):
            offset = y * stride + x * channels
            if pixels[offset + 3] >= 192:
                colours.add(tuple(pixels[offset:offset + 3]))
    return colours


def check_icon(theme, name, icon_dir):
    info = theme.lookup_icon(name, 16, 0)
    if info is None:
        return ['not found in %s' % icon_dir]
    filename = info.get_filename() or ''
    if not filename.startswith(icon_dir):
        return ['resolved to %s, not to Herald\'s own file' % filename]
    colour = Gdk.RGBA()
    colour.parse('#ff0000')
    try:
        pixbuf, was_symbolic = info.load_symbolic(colour, None, None, None)
    except Exception as error:  # GLib.Error from the SVG loader
        return ['does not load: %s' % error]
    if not was_symbolic:
        return ['GTK did not treat it as a symbolic icon']
    colours = painted_colours(pixbuf)
    if not colours:
        return ['draws nothing at 16×16']
    stray = sorted(colours - {(255, 0, 0)})
    if stray:
        shown = ', '.join('#%02x%02x%02x' % rgb for rgb in stray[:4])
        return ['%d pixel colours stay unrecoloured (%s%s): a stroke or a style overrides the fill'
                % (len(stray), shown, ', …' if len(stray) > 4 else '')]
    return []


def main(argv):
    if len(argv) != 3:
        print('usage: check-icon-theme.py ICON_DIR APP_ID', file=sys.stderr)
        return 2
    icon_dir, app_id = argv[1], argv[2]
    theme = Gtk.IconTheme.new()
    theme.append_search_path(icon_dir)

    names = ['%s-%s-symbolic' % (app_id, feed) for feed in FEEDS] + [app_id + '-symbolic']
    print('1..%d' % (len(names) + 1))
    failed = 0
    for number, name in enumerate(names, start=1):
        problems = check_icon(theme, name, icon_dir)
        print('%s %d - %s' % ('not ok' if problems else 'ok', number, name))
        for problem in problems:
            print('# %s: %s' % (name, problem))
        failed += bool(problems)

    # A lookup that cannot succeed shows the theme is not falling back to anything.
    missing = theme.lookup_icon(app_id + '-no-such-feed-symbolic', 16, 0)
    print('%s %d - an unknown feed icon is not found' % ('ok' if missing is None else 'not ok',
                                                         len(names) + 1))
    failed += missing is not None
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
