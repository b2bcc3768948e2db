#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks Herald's SVG icons: well-formed, self-contained, the expected viewBox, and, for
# symbolic icons, filled shapes in one recolourable grey only. Prints TAP, one line per file.

import argparse
import re
import sys
import xml.etree.ElementTree as ET

SVG_NS = '{http://www.w3.org/2000/svg}'
XLINK_HREF = '{http://www.w3.org/1999/xlink}href'

APP_SIZE = 128
SYMBOLIC_SIZE = 16

# GTK recolours a symbolic icon by replacing the fills of its shapes with the theme's
# foreground; these are the greys icon authors conventionally draw them in.
SYMBOLIC_COLOURS = {'#2e3436', '#bebebe'}

SHAPES = {'path', 'rect', 'circle', 'ellipse', 'polygon', 'polyline', 'line'}
# Anything that paints other than by a plain fill survives recolouring as the wrong colour.
SYMBOLIC_FORBIDDEN = {'linearGradient', 'radialGradient', 'pattern', 'mask', 'filter',
                      'image', 'text', 'use', 'foreignObject', 'style'}


def local_name(tag):
    return tag[len(SVG_NS):] if tag.startswith(SVG_NS) else tag


def paint_properties(element):
    """Returns the fill/stroke properties set on one element, from attributes and style."""
    props = {}
    for key in ('fill', 'stroke'):
        if key in element.attrib:
            props[key] = element.attrib[key].strip().lower()
    for declaration in element.attrib.get('style', '').split(';'):
        if ':' in declaration:
            key, value = (part.strip().lower() for part in declaration.split(':', 1))
            if key in ('fill', 'stroke'):
                props[key] = value
    return props


def parse_length(value):
    match = re.fullmatch(r'\s*([0-9.]+)\s*(px)?\s*', value or '')
    return float(match.group(1)) if match else None


def check_root(root, size):
    problems = []
    if root.tag != SVG_NS + 'svg':
        return ['the root element is <%s>, not an SVG <svg>' % root.tag]
    view_box = root.attrib.get('viewBox')
    if view_box is None:
        problems.append('no viewBox')
    else:
        numbers = view_box.replace(',', ' ').split()
        try:
            box = [float(n) for n in numbers]
        except ValueError:
            box = []
        if box != [0.0, 0.0, float(size), float(size)]:
            problems.append('viewBox is "%s", expected "0 0 %d %d"' % (view_box, size, size))
    for dimension in ('width', 'height'):
        if dimension in root.attrib and parse_length(root.attrib[dimension]) != size:
            problems.append('%s is "%s", expected %d' % (dimension, root.attrib[dimension], size))
    return problems


def check_common(root):
    problems = []
    shapes = 0
    for element in root.iter():
        name = local_name(element.tag)
        if name in SHAPES:
            shapes += 1
        for key in ('href', XLINK_HREF):
            ref = element.attrib.get(key)
            if ref is not None and not ref.startswith('#'):
                problems.append('<%s> refers to "%s" outside the file' % (name, ref))
    if shapes == 0:
        problems.append('draws no shape')
    return problems


def check_symbolic(root):
    problems = []
    colours = set()

    def walk(element, inherited_fill):
        name = local_name(element.tag)
        if name in SYMBOLIC_FORBIDDEN:
            problems.append('<%s> is not allowed in a symbolic icon' % name)
        props = paint_properties(element)
        stroke = props.get('stroke')
        if stroke is not None and stroke != 'none':
            problems.append('<%s> has a stroke (%s); draw it as a filled shape' % (name, stroke))
        fill = props.get('fill', inherited_fill)
        if name in SHAPES:
            if fill is None:
                problems.append('<%s> has no fill colour' % name)
            elif fill == 'none':
                if stroke is None or stroke == 'none':
                    problems.append('<%s> has fill="none" and no stroke: it paints nothing' % name)
            elif fill not in SYMBOLIC_COLOURS:
                problems.append('<%s> is filled with %s, expected one of %s'
                                % (name, fill, ', '.join(sorted(SYMBOLIC_COLOURS))))
            else:
                colours.add(fill)
        for child in element:
            walk(child, fill)

    walk(root, None)
    if len(colours) > 1:
        problems.append('uses several colours (%s); a symbolic icon has one'
                        % ', '.join(sorted(colours)))
    return problems


def check_file(path, symbolic):
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as error:
        return ['not well-formed XML: %s' % error]
    problems = check_root(root, SYMBOLIC_SIZE if symbolic else APP_SIZE)
    problems += check_common(root)
    if symbolic:
        problems += check_symbolic(root)
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--app', nargs='*', default=[], help='full-colour 128×128 icons')
    parser.add_argument('--symbolic', nargs='*', default=[], help='16×16 symbolic icons')
    args = parser.parse_args()

    checks = [(path, False) for path in args.app] + [(path, True) for path in args.symbolic]
    if not checks:
        parser.error('name at least one icon')

    print('1..%d' % len(checks))
    failed = 0
    for number, (path, symbolic) in enumerate(checks, start=1):
        problems = check_file(path, symbolic)
        name = path.rsplit('/', 1)[-1]
        if problems:
            failed += 1
            print('not ok %d - %s' % (number, name))
            for problem in problems:
                print('# %s: %s' % (name, problem))
        else:
            print('ok %d - %s' % (number, name))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
