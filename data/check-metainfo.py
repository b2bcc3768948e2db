#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks what appstreamcli does not: the release matches the project version, the content
# rating is complete, and each screenshot URL names a file under data/screenshots/. TAP.

import datetime
import os
import sys
import xml.etree.ElementTree as ET

SCREENSHOT_URL = 'https://raw.githubusercontent.com/heraldapp/herald/main/data/screenshots/'
OARS_VALUES = {'none', 'mild', 'moderate', 'intense'}
# Decided on purpose (see the comment in the metainfo): they must be stated, not left out.
OARS_STATED = {'money-gambling', 'money-purchasing', 'social-chat'}
PNG_MAGIC = b'\x89PNG\r\n\x1a\n'


def main(argv):
    if len(argv) != 5:
        print('usage: check-metainfo.py METAINFO APP_ID VERSION SCREENSHOT_DIR', file=sys.stderr)
        return 2
    path, app_id, version, screenshot_dir = argv[1:]
    root = ET.parse(path).getroot()
    results = []

    problems = []
    launchable = root.find('launchable')
    if launchable is None or launchable.text != app_id + '.desktop':
        problems.append('launchable is not %s.desktop' % app_id)
    results.append(('launchable', problems, None))

    problems = []
    release = root.find('releases/release')
    if release is None:
        problems.append('no release')
    else:
        if release.get('version') != version:
            problems.append('the newest release is %s, the project is %s'
                            % (release.get('version'), version))
        try:
            datetime.date.fromisoformat(release.get('date', ''))
        except ValueError:
            problems.append('the newest release has no ISO date')
        if release.find('description') is None:
            problems.append('the newest release has no description')
    results.append(('the newest release is %s' % version, problems, None))

    problems = []
    rating = root.find('content_rating')
    if rating is None or rating.get('type') != 'oars-1.1':
        problems.append('no oars-1.1 content rating')
    else:
        stated = {}
        for attribute in rating.findall('content_attribute'):
            stated[attribute.get('id')] = attribute.text
            if attribute.text not in OARS_VALUES:
                problems.append('%s is "%s"' % (attribute.get('id'), attribute.text))
        for name in sorted(OARS_STATED - set(stated)):
            problems.append('%s is not stated' % name)
    results.append(('the content rating states its decisions', problems, None))

    with open(os.path.join(screenshot_dir, 'README.md'), encoding='utf-8') as readme_file:
        readme = readme_file.read()
    shots = root.findall('screenshots/screenshot')
    problems = []
    if len(shots) < 3:
        problems.append('%d screenshots; the window, the tray menu and preferences are wanted'
                        % len(shots))
    if [shot.get('type') for shot in shots].count('default') != 1:
        problems.append('not exactly one default screenshot')
    results.append(('three screenshots, one default', problems, None))
    for shot in shots:
        url = shot.findtext('image', '')
        name = url[len(SCREENSHOT_URL):] if url.startswith(SCREENSHOT_URL) else None
        problems, skip = [], None
        if name is None or '/' in name:
            problems.append('%s is not under %s' % (url, SCREENSHOT_URL))
        else:
            if '`%s`' % name not in readme:
                problems.append('data/screenshots/README.md does not say what makes %s' % name)
            file_path = os.path.join(screenshot_dir, name)
            if not os.path.exists(file_path):
                skip = '%s is not made yet' % name
            else:
                with open(file_path, 'rb') as image:
                    if image.read(8) != PNG_MAGIC:
                        problems.append('%s is not a PNG' % name)
        if not shot.findtext('caption'):
            problems.append('%s has no caption' % url)
        results.append(('screenshot %s' % (name or url), problems, skip))

    print('1..%d' % len(results))
    failed = 0
    for number, (name, problems, skip) in enumerate(results, start=1):
        print('%s %d - %s%s' % ('not ok' if problems else 'ok', number, name,
                                ' # SKIP ' + skip if skip and not problems else ''))
        for problem in problems:
            print('# %s' % problem)
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
