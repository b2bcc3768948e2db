#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks the Flatpak manifest offline: a supported GNOME runtime, exactly the permissions
# flatpak/README.md justifies, the tray libraries pinned and in order, Herald built and
# unit-tested from this tree. Nothing is downloaded.

import json
import os
import re
import sys

APP_ID = 'io.github.heraldapp.Herald'

# GNOME runtimes Flathub supports in December 2026. A GNOME runtime is supported for about a
# year, until the second release after it: 49 went out of support when 51 came (September
# 2026); 50 lasts until 52 (about March 2027). Drop a version here when it reaches its end.
SUPPORTED_RUNTIMES = {'50', '51'}

# Libraries that left the GNOME runtime, by the runtime that dropped them: a Herald that
# depends on one must build it as a module.
LEFT_THE_RUNTIME = {'libhandy-1': 51, 'gcr-3': 51}

# Exactly these, each justified in flatpak/README.md. Secrets go through the Secret portal
# and autostart through the Background portal: neither needs a permission.
FINISH_ARGS = {
    '--share=network',
    '--share=ipc',
    '--socket=wayland',
    '--socket=fallback-x11',
    '--talk-name=org.freedesktop.Notifications',
    '--talk-name=org.kde.StatusNotifierWatcher',
}

TRAY_MODULES = ['libdbusmenu-gtk3', 'ayatana-ido', 'libayatana-indicator',
                'libayatana-appindicator']

LOCAL_SOURCE_TYPES = {'patch', 'shell'}


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
        elif kind == 'dir':
            if module.get('name') != 'herald':
                problems.append('%s: only Herald itself builds from a local directory' % where)
        elif kind not in LOCAL_SOURCE_TYPES:
            problems.append('%s is neither pinned nor local' % where)


def check_herald(herald, manifest_dir, problems):
    if herald.get('buildsystem') != 'meson':
        problems.append('herald is not built with meson')
    if '-Dtray=enabled' not in herald.get('config-opts', []):
        problems.append('herald is not configured with -Dtray=enabled')
    if herald.get('modules'):
        problems.append('herald must come after its dependencies, not nest them')
    dirs = [s for s in herald.get('sources', []) if s.get('type') == 'dir']
    if len(dirs) != 1 or len(herald.get('sources', [])) != 1:
        problems.append('herald must be built from exactly one "dir" source')
        return None
    tree = os.path.normpath(os.path.join(manifest_dir, dirs[0].get('path', '')))
    try:
        with open(os.path.join(tree, 'meson.build'), encoding='utf-8') as build_file:
            if not re.search(r"project\(\s*'herald'", build_file.read()):
                problems.append('the dir source %s is not the Herald tree' % tree)
                return None
    except OSError:
        problems.append('the dir source %s has no meson.build' % tree)
        return None
    for data_file in (APP_ID + '.desktop.in', APP_ID + '.metainfo.xml.in'):
        if not os.path.isfile(os.path.join(tree, 'data', data_file)):
            problems.append('data/%s, named after the app id, is missing' % data_file)

    # The build sandbox has no bus, keyring or display: only the unit suite can run there,
    # through a ninja target the tree defines.
    if herald.get('run-tests') is not True:
        problems.append('herald does not run its tests (run-tests)')
    rule = herald.get('test-rule', '')
    try:
        with open(os.path.join(tree, 'tests', 'meson.build'), encoding='utf-8') as tests_file:
            tests_build = tests_file.read()
    except OSError:
        tests_build = ''
    target = re.search(r"run_target\(\s*'%s'(.*?)\n\)" % re.escape(rule), tests_build, re.S)
    if not rule or target is None:
        problems.append('test-rule %r is not a run_target in tests/meson.build' % rule)
    elif "'--suite', 'unit'" not in target.group(1):
        problems.append('test-rule %r does not restrict meson test to the unit suite' % rule)
    return tree


def check(manifest, manifest_dir):
    problems = []
    if manifest.get('id', manifest.get('app-id')) != APP_ID:
        problems.append('id is %r, expected %r' % (manifest.get('id'), APP_ID))
    if manifest.get('command') != 'herald':
        problems.append('command is %r, expected "herald"' % manifest.get('command'))
    if manifest.get('runtime') != 'org.gnome.Platform' or manifest.get('sdk') != 'org.gnome.Sdk':
        problems.append('runtime/sdk are not org.gnome.Platform/org.gnome.Sdk')
    runtime = str(manifest.get('runtime-version', ''))
    if runtime not in SUPPORTED_RUNTIMES:
        problems.append('runtime-version %r is not a supported GNOME runtime (%s)'
                        % (runtime, ', '.join(sorted(SUPPORTED_RUNTIMES))))

    finish_args = manifest.get('finish-args', [])
    for arg in sorted(FINISH_ARGS - set(finish_args)):
        problems.append('finish-args lack %s' % arg)
    for arg in sorted(set(finish_args) - FINISH_ARGS):
        problems.append('finish-args must not have %s (not justified in flatpak/README.md)' % arg)
    if len(finish_args) != len(set(finish_args)):
        problems.append('finish-args repeat an entry')

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
        return problems
    tree = check_herald(modules[-1], manifest_dir, problems)
    if tree is not None and runtime.isdigit():
        with open(os.path.join(tree, 'meson.build'), encoding='utf-8') as build_file:
            build = build_file.read()
        for library, dropped_in in sorted(LEFT_THE_RUNTIME.items()):
            used = re.search(r"dependency\(\s*'%s'" % re.escape(library), build)
            if used and int(runtime) >= dropped_in and not any(
                    library.split('-')[0] in str(name) for name in names):
                problems.append('%s left the runtime in GNOME %d: build it as a module'
                                % (library, dropped_in))
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
