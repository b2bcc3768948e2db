#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs the built herald with LANGUAGE=de against the catalogues meson compiled into the build
# tree and checks that what it prints is German: no English msgid of po/de.po survives. TAP.

import os
import re
import subprocess
import sys
import tempfile

# What a user types first; each prints only translatable text and Herald's own names.
COMMANDS = [['--help'], ['--help-all'], ['account', 'list'], ['history']]


def read_catalogue(path):
    """Returns {msgid: msgstr} for the singular, context-free entries of a .po file."""
    entries, current, key = {}, {}, None
    with open(path, encoding='utf-8') as catalogue:
        for line in catalogue:
            line = line.strip()
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                if key == 'msgid' and 'msgid' in current:
                    current = {}
                current[key] = match.group(2)
            elif line.startswith('"') and key is not None:
                current[key] += line[1:-1]
            elif not line and current:
                if 'msgctxt' not in current and 'msgid_plural' not in current:
                    entries[current.get('msgid', '')] = current.get('msgstr', '')
                current, key = {}, None
    if current and 'msgctxt' not in current and 'msgid_plural' not in current:
        entries[current.get('msgid', '')] = current.get('msgstr', '')
    entries.pop('', None)
    return {unescape(k): unescape(v) for k, v in entries.items()}


def unescape(text):
    return text.replace('\\n', '\n').replace('\\"', '"').replace('\\\\', '\\')


def run(herald, args, env):
    result = subprocess.run([herald] + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, env=env, universal_newlines=True,
                            timeout=30)
    return result.stdout


def main(argv):
    if len(argv) != 4:
        print('usage: check-german-cli.py HERALD LOCALEDIR DE_PO', file=sys.stderr)
        return 2
    herald, localedir, de_po = argv[1:]
    if not os.path.isfile(os.path.join(localedir, 'de', 'LC_MESSAGES', 'herald.mo')):
        print('1..0 # SKIP no German catalogue compiled in %s' % localedir)
        return 0
    catalogue = read_catalogue(de_po)
    # Short or one-word msgids ("Search", "N") also occur inside other text; only
    # sentences are looked for.
    sentences = {msgid: msgstr for msgid, msgstr in catalogue.items()
                 if ' ' in msgid.strip() and len(msgid.strip()) >= 12 and msgid != msgstr}

    with tempfile.TemporaryDirectory(prefix='herald-german-') as home:
        base = {key: value for key, value in os.environ.items()
                if not key.startswith(('LC_', 'LANG'))}
        base.update(HOME=home, XDG_CONFIG_HOME=os.path.join(home, 'config'),
                    XDG_DATA_HOME=os.path.join(home, 'data'),
                    XDG_CACHE_HOME=os.path.join(home, 'cache'))
        english = dict(base, LC_ALL='C.UTF-8', HERALD_LOCALEDIR=localedir)
        # LANGUAGE is ignored in the plain C locale, so a UTF-8 one is set beside it.
        german = dict(base, LANG='C.UTF-8', LANGUAGE='de', HERALD_LOCALEDIR=localedir)

        results = []
        for args in COMMANDS:
            shown = ' '.join(['herald'] + args)
            english_out = run(herald, args, english)
            german_out = run(herald, args, german)
            problems = []
            checked = 0
            for msgid, msgstr in sorted(sentences.items()):
                fragments = [part.strip() for part in re.split(r'%[-0-9.]*l?[sdu]', msgid)]
                fragments = [part for part in fragments if len(part) >= 12 and ' ' in part]
                for fragment in fragments:
                    if fragment in english_out:
                        checked += 1
                        if fragment in german_out:
                            problems.append('still English: “%s”' % fragment)
            if checked == 0:
                problems.append('no translatable sentence found in the English output:\n'
                                + english_out)
            if german_out == english_out:
                problems.append('the output does not change with LANGUAGE=de')
            results.append(('%s is German (%d sentences checked)' % (shown, checked), problems))

    print('1..%d' % len(results))
    failed = 0
    for number, (name, problems) in enumerate(results, start=1):
        print('%s %d - %s' % ('not ok' if problems else 'ok', number, name))
        for problem in problems:
            for line in problem.splitlines():
                print('# %s' % line)
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
