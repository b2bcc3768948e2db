#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the build into a temporary DESTDIR and checks the tree a user (or Flatpak) gets:
# every file in place, launchers that resolve, a schema that compiles, app-id icons. TAP.

import argparse
import configparser
import glob
import os
import re
import shlex
import subprocess
import sys
import tempfile

# A name the code builds at run time ("…-%s-symbolic") is checked for every feed id.
FEED_ID = re.compile(r'\.id\s*=\s*"([a-z0-9-]+)"')
# HERALD_APP_ID "-…-symbolic": an icon name the preprocessor joins to the app id (other joins,
# such as the autostart file's HERALD_APP_ID ".desktop", name no icon).
APP_ID_CONCAT = re.compile(r'HERALD_APP_ID\s*"([^"]*-symbolic)"')
# Any other string literal that names one of Herald's own icons.
OWN_ICON_LITERAL = re.compile(r'"((?:herald|io\.github\.heraldapp)[A-Za-z0-9_.%-]*-symbolic)"')
UI_ICON = re.compile(r'<property name="icon[-_]name"[^>]*>([^<]+)</property>')


class Tap:
    def __init__(self):
        self.results = []

    def check(self, name, problems):
        self.results.append((name, problems))

    def finish(self):
        print('1..%d' % len(self.results))
        for number, (name, problems) in enumerate(self.results, start=1):
            print('%s %d - %s' % ('not ok' if problems else 'ok', number, name))
            for problem in problems:
                print('# %s' % problem)
        return 1 if any(problems for _, problems in self.results) else 0


def run(argv, **kwargs):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, **kwargs)


def read_desktop(path):
    parser = configparser.RawConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(path, encoding='utf-8')
    return parser['Desktop Entry'] if parser.has_section('Desktop Entry') else {}


def icon_files(root, name):
    pattern = os.path.join(root, 'share', 'icons', 'hicolor', '*', '*', name + '.*')
    return [path for path in glob.glob(pattern) if path.endswith(('.svg', '.png'))]


def check_launcher(root, path, validate):
    problems = []
    if not os.path.isfile(path):
        return ['%s is not installed' % path]
    result = run([validate, path])
    if result.returncode != 0 or result.stdout.strip():
        problems.append('desktop-file-validate: %s' % result.stdout.strip())
    entry = read_desktop(path)
    exec_line = entry.get('Exec', '')
    words = shlex.split(exec_line)
    if not words:
        problems.append('no Exec line')
    else:
        binary = os.path.join(root, 'bin', os.path.basename(words[0]))
        if os.path.isabs(words[0]):
            problems.append('Exec=%s names an absolute path; Flatpak rewrites only a bare command'
                            % exec_line)
        elif not os.access(binary, os.X_OK):
            problems.append('Exec=%s: %s is not an installed executable' % (exec_line, binary))
    icon = entry.get('Icon', '')
    if not icon:
        problems.append('no Icon line')
    elif not icon_files(root, icon):
        problems.append('Icon=%s: no such icon under share/icons/hicolor' % icon)
    return problems


def wanted_icons(source_root, app_id):
    """Returns {icon name: [where it is asked for]} for Herald's own icons in the code."""
    feeds = set()
    for path in glob.glob(os.path.join(source_root, 'src', 'core', '*.c')):
        with open(path, encoding='utf-8') as source:
            if 'HeraldProviderInfo' in source.read():
                with open(path, encoding='utf-8') as again:
                    feeds.update(FEED_ID.findall(again.read()))
    wanted = {}
    unprefixed = []

    def want(name, where):
        if not name.startswith(app_id):
            unprefixed.append('%s asks for "%s", which does not start with %s' % (where, name, app_id))
            return
        names = [name.replace('%s', feed) for feed in sorted(feeds)] if '%s' in name else [name]
        for expanded in names:
            wanted.setdefault(expanded, []).append(where)

    sources = glob.glob(os.path.join(source_root, 'src', '**', '*.c'), recursive=True)
    for path in sorted(sources):
        where = os.path.relpath(path, source_root)
        with open(path, encoding='utf-8') as source:
            text = source.read()
        for suffix in APP_ID_CONCAT.findall(text):
            want(app_id + suffix, where)
        for literal in OWN_ICON_LITERAL.findall(text):
            want(literal, where)
    uis = glob.glob(os.path.join(source_root, 'data', 'ui', '*.ui'))
    uis += glob.glob(os.path.join(source_root, 'src', '**', '*.ui'), recursive=True)
    for path in sorted(uis):
        with open(path, encoding='utf-8') as source:
            for name in UI_ICON.findall(source.read()):
                if name.startswith(('herald', 'io.github.heraldapp')):
                    want(name, os.path.relpath(path, source_root))
    return wanted, unprefixed, feeds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--meson', required=True)
    parser.add_argument('--build-root', required=True)
    parser.add_argument('--source-root', required=True)
    parser.add_argument('--prefix', required=True)
    parser.add_argument('--app-id', required=True)
    parser.add_argument('--desktop-file-validate', required=True)
    parser.add_argument('--glib-compile-schemas', required=True)
    args = parser.parse_args()
    app_id = args.app_id
    tap = Tap()

    with tempfile.TemporaryDirectory(prefix='herald-install-') as destdir:
        result = run(args.meson.split() + ['install', '--no-rebuild', '--quiet',
                                           '-C', args.build_root, '--destdir', destdir])
        tap.check('meson install --destdir', [] if result.returncode == 0 else
                  ['meson install failed:'] + result.stdout.splitlines()[-20:])
        root = destdir + args.prefix
        share = os.path.join(root, 'share')

        expected = [
            os.path.join(root, 'bin', 'herald'),
            os.path.join(share, 'applications', app_id + '.desktop'),
            os.path.join(share, 'herald', 'autostart', app_id + '-autostart.desktop'),
            os.path.join(share, 'metainfo', app_id + '.metainfo.xml'),
            os.path.join(share, 'glib-2.0', 'schemas', app_id + '.gschema.xml'),
            os.path.join(share, 'icons', 'hicolor', 'scalable', 'apps', app_id + '.svg'),
            os.path.join(share, 'icons', 'hicolor', 'symbolic', 'apps', app_id + '-symbolic.svg'),
        ]
        with open(os.path.join(args.source_root, 'po', 'LINGUAS'), encoding='utf-8') as linguas:
            for line in linguas:
                for language in line.split('#', 1)[0].split():
                    expected.append(os.path.join(share, 'locale', language, 'LC_MESSAGES',
                                                 'herald.mo'))
        tap.check('installed files', ['missing: %s' % os.path.relpath(path, destdir)
                                      for path in expected if not os.path.isfile(path)])

        tap.check('the launcher resolves', check_launcher(
            root, os.path.join(share, 'applications', app_id + '.desktop'),
            args.desktop_file_validate))
        tap.check('the autostart entry resolves', check_launcher(
            root, os.path.join(share, 'herald', 'autostart', app_id + '-autostart.desktop'),
            args.desktop_file_validate))

        schemas = os.path.join(share, 'glib-2.0', 'schemas')
        result = run([args.glib_compile_schemas, '--strict', '--dry-run', schemas])
        tap.check('the installed schema compiles', [] if result.returncode == 0 else
                  ['glib-compile-schemas: %s' % result.stdout.strip()])

        wanted, unprefixed, feeds = wanted_icons(args.source_root, app_id)
        problems = list(unprefixed)
        if not feeds:
            problems.append('found no feed ids in src/core to expand icon names with')
        if not any(name.endswith('-symbolic') for name in wanted):
            problems.append('found no symbolic icon the code asks for; the scan is broken')
        for name, where in sorted(wanted.items()):
            if not icon_files(root, name):
                problems.append('%s asks for "%s", which is not installed under '
                                'share/icons/hicolor' % (', '.join(sorted(set(where))), name))
        tap.check('every icon the code asks for is installed with the app id as prefix (%d)'
                  % len(wanted), problems)

        # Flatpak exports only files named after the app id from these directories.
        stray = []
        for folder in ('applications', 'metainfo', 'icons', 'glib-2.0/schemas'):
            for path in glob.glob(os.path.join(share, folder, '**', '*'), recursive=True):
                name = os.path.basename(path)
                if os.path.isfile(path) and not name.startswith(app_id) \
                        and not name.startswith(('index.theme', 'icon-theme.cache',
                                                 'gschemas.compiled', 'mimeinfo.cache')):
                    stray.append('%s is not named after the app id'
                                 % os.path.relpath(path, destdir))
        tap.check('exported files carry the app id', stray)
    return tap.finish()


if __name__ == '__main__':
    sys.exit(main())
