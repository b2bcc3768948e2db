#!/usr/bin/python3
# Checks the Flatpak manifest: valid JSON naming Herald's app id, command and sandbox
# permissions, the tray libraries built before Herald, and every download pinned.

import json
import os
import re
import sys

APP_ID = 'io.github.heraldapp.Herald'

REQUIRED_FINISH_ARGS = {
    '--share=network',
    '--share=ipc',
    '--socket=fallback-x11',
    '--socket=wayland',
    '--talk-name=org.freedesktop.Notifications',
    '--talk-name=org.kde.StatusNotifierWatcher',
}

# Keys go through the Secret portal; the rest would give the sandbox far more than a
# notifier needs.
FORBIDDEN_FINISH_ARGS = {
    '--talk-name=org.freedesktop.secrets',
    '--socket=x11',
    '--socket=session-bus',
    '--socket=system-bus',
    '--filesystem=host',
    '--filesystem=home',
    '--device=all',
}

TRAY_MODULES = ['libdbusmenu-gtk3', 'ayatana-ido', 'libayatana-indicator',
                'libayatana-appindicator']


def check_sources(module, problems):
    for source in module.get('sources', []):
        kind = source.get('type')
        where = '%s: %s source' % (module.get('name'), kind)
        if kind in ('archive', 'file'):
            if not str(source.get('url', '')).startswith('https://'):
                problems.append('%s has no https URL' % where)
            if not re.fullmatch(r'[0-9a-f]{64}', str(source.get('sha256', ''))):
                problems.append('%s %s has no sha256' % (where, source.get('url')))
        elif kind == 'git':
            if not str(source.get('url', '')).startswith('https://'):
                problems.append('%s has no https URL' % where)
            if not re.fullmatch(r'[0-9a-f]{40}', str(source.get('commit', ''))):
                problems.append('%s %s is not pinned to a commit' % (where, source.get('url')))


def check(manifest, manifest_dir):
    problems = []
    if manifest.get('id', manifest.get('app-id')) != APP_ID:
        problems.append('id is %r, expected %r' % (manifest.get('id'), APP_ID))
    if manifest.get('command') != 'herald':
        problems.append('command is %r, expected "herald"' % manifest.get('command'))
    if manifest.get('runtime') != 'org.gnome.Platform' or manifest.get('sdk') != 'org.gnome.Sdk':
        problems.append('runtime/sdk are not org.gnome.Platform/org.gnome.Sdk')
    if not str(manifest.get('runtime-version', '')).isdigit():
        problems.append('runtime-version %r is not a GNOME release' % manifest.get('runtime-version'))

    finish_args = manifest.get('finish-args', [])
    for arg in sorted(REQUIRED_FINISH_ARGS - set(finish_args)):
        problems.append('finish-args lack %s' % arg)
    for arg in sorted(FORBIDDEN_FINISH_ARGS & set(finish_args)):
        problems.append('finish-args must not have %s' % arg)

    modules = manifest.get('modules', [])
    if any(not isinstance(module, dict) for module in modules):
        problems.append('every module must be written inline')
        modules = [module for module in modules if isinstance(module, dict)]
    names = [module.get('name') for module in modules]
    for module in modules:
        check_sources(module, problems)

    positions = []
    for name in TRAY_MODULES:
        if name in names:
            positions.append(names.index(name))
        else:
            problems.append('the tray module %s is missing' % name)
    if positions != sorted(positions):
        problems.append('the tray modules are not in dependency order: %s' % ', '.join(TRAY_MODULES))

    if not modules or modules[-1].get('name') != 'herald':
        problems.append('the last module is not herald')
    else:
        herald = modules[-1]
        if herald.get('buildsystem') != 'meson':
            problems.append('herald is not built with meson')
        dirs = [s for s in herald.get('sources', []) if s.get('type') == 'dir']
        if len(dirs) != 1:
            problems.append('herald must be built from one "dir" source')
        else:
            tree = os.path.normpath(os.path.join(manifest_dir, dirs[0].get('path', '')))
            try:
                with open(os.path.join(tree, 'meson.build'), encoding='utf-8') as build_file:
                    if not re.search(r"project\(\s*'herald'", build_file.read()):
                        problems.append('the dir source %s is not the Herald tree' % tree)
            except OSError:
                problems.append('the dir source %s has no meson.build' % tree)
            for data_file in (APP_ID + '.desktop.in', APP_ID + '.metainfo.xml.in'):
                if not os.path.isfile(os.path.join(tree, 'data', data_file)):
                    problems.append('data/%s, named after the app id, is missing' % data_file)
        if herald.get('modules'):
            problems.append('herald must come after its dependencies, not nest them')
    return problems


def main(argv):
    if len(argv) != 2:
        print('usage: check-manifest.py MANIFEST.json', file=sys.stderr)
        return 2
    path = argv[1]
    try:
        with open(path, encoding='utf-8') as manifest_file:
            manifest = json.load(manifest_file)
    except (OSError, ValueError) as error:
        print('%s: not valid JSON: %s' % (path, error))
        return 1
    if not isinstance(manifest, dict):
        print('%s: the manifest is not a JSON object' % path)
        return 1
    problems = check(manifest, os.path.dirname(os.path.abspath(path)))
    for problem in problems:
        print('%s: %s' % (os.path.basename(path), problem))
    if not problems:
        print('%s: ok' % os.path.basename(path))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
