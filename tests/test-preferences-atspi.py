#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-preferences-atspi.py — the Preferences as a screen reader meets them: the real `herald
# --preferences` on a private session bus with the AT-SPI registry, read over AT-SPI from
# this separate process. Every control on every page, and in the account form, has a name,
# and the form's fields are named by their labels. Speaks TAP.
import os
import subprocess
import sys
import tempfile
import time

ROLES_NEEDING_NAMES = {
    "push button", "toggle button", "check box", "radio button", "combo box", "text",
    "password text", "spin button", "switch", "list box", "menu item",
}

results = []


def tap(ok, name, detail=""):
    results.append((ok, name, detail))


def private_bus():
    """A session bus of our own, with the system's service files so org.a11y.Bus starts."""
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    address = daemon.stdout.readline().strip()
    return daemon, address


def wait_for(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return None


def walk(node):
    yield node
    for i in range(node.childCount):
        child = node.getChildAtIndex(i)
        if child is not None:
            yield from walk(child)


def showing(node, pyatspi):
    try:
        return node.getState().contains(pyatspi.STATE_SHOWING)
    except Exception:
        return False


def unnamed_controls(root, pyatspi):
    missing = []
    for node in walk(root):
        try:
            role = node.getRoleName()
        except Exception:
            continue
        if role in ROLES_NEEDING_NAMES and showing(node, pyatspi) and not node.name:
            path = []
            parent = node.parent
            while parent is not None and len(path) < 3:
                path.append("%s %r" % (parent.getRoleName(), parent.name))
                parent = parent.parent
            missing.append("%s under %s" % (role, " < ".join(path)))
    return missing


def find(root, role, name, pyatspi):
    for node in walk(root):
        try:
            if node.getRoleName() == role and node.name == name and showing(node, pyatspi):
                return node
        except Exception:
            continue
    return None


def press(node):
    action = node.queryAction()
    for i in range(action.nActions):
        if action.getName(i) in ("click", "press", "activate"):
            action.doAction(i)
            return
    action.doAction(0)


def main():
    herald = os.environ.get("HERALD_BIN")
    if not herald or "DISPLAY" not in os.environ:
        print("1..0 # SKIP needs HERALD_BIN and an X display (run under Xvfb)")
        return 0

    daemon, address = private_bus()
    home = tempfile.TemporaryDirectory(prefix="herald-atspi-")
    env = dict(os.environ)
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    env["NO_AT_BRIDGE"] = "0"
    env["GSETTINGS_BACKEND"] = "memory"
    for key in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        env[key] = os.path.join(home.name, key.lower())
        os.makedirs(env[key])
    # This process reads the tree over the same private bus.
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
    import pyatspi  # noqa: E402 — after the bus address is set

    app_log = open(os.path.join(home.name, "herald.log"), "w+")
    app = subprocess.Popen([herald, "--preferences"], env=env, stderr=app_log)
    try:
        def herald_app():
            if app.poll() is not None:
                return "exited"
            desktop = pyatspi.Registry.getDesktop(0)
            for i in range(desktop.childCount):
                child = desktop.getChildAtIndex(i)
                if child is not None and child.name == "herald":
                    return child
            return None

        # Generous: under the sanitizers, beside another suite's burst on two cores, the
        # first start of GTK and the accessibility bus has taken tens of seconds.
        application = wait_for(herald_app, 90.0)
        if application == "exited":
            application = None
        if application is None:
            desktop = pyatspi.Registry.getDesktop(0)
            names = [desktop.getChildAtIndex(i).name for i in range(desktop.childCount)]
            print("# herald %s; applications on the bus: %s"
                  % ("running" if app.poll() is None else "exited %s" % app.returncode, names))
            app_log.seek(0)
            for line in app_log.read().splitlines()[:20]:
                print("# herald: " + line)
        tap(application is not None, "herald is on the accessibility bus")
        if application is None:
            return report()
        window = wait_for(lambda: find(application, "frame", "Herald Preferences", pyatspi))
        tap(window is not None, "the window is announced as “Herald Preferences”")
        if window is None:
            return report()

        for page in ("Accounts", "Notifications", "General"):
            tab = find(window, "radio button", page, pyatspi)
            tap(tab is not None, "page %s can be chosen" % page)
            if tab is None:
                continue
            press(tab)
            time.sleep(0.5)
            missing = unnamed_controls(window, pyatspi)
            tap(not missing, "every control on %s has a name" % page, "; ".join(missing))

        for page, names in (
            ("Notifications", ["Show notifications", "Pause notifications", "Show message text",
                               "Play a sound", "Minimum severity", "Burst window (seconds)",
                               "Deposits", "Tips", "System"]),
            ("General", ["Events kept", "Clear History…", "Start at login"]),
        ):
            press(find(window, "radio button", page, pyatspi))
            time.sleep(0.5)
            shown = {node.name for node in walk(window) if showing(node, pyatspi)}
            absent = [name for name in names if name not in shown]
            tap(not absent, "%s names its controls as their labels read" % page,
                "missing: " + ", ".join(absent))

        press(find(window, "radio button", "Accounts", pyatspi))
        add = wait_for(lambda: find(window, "push button", "Add Account…", pyatspi))
        tap(add is not None, "“Add Account…” is reachable")
        if add is not None:
            press(add)
            form = wait_for(lambda: find(application, "dialog", "Add Account", pyatspi))
            tap(form is not None, "the account form opens as a dialog named “Add Account”")
            if form is not None:
                missing = unnamed_controls(form, pyatspi)
                tap(not missing, "every control in the account form has a name",
                    "; ".join(missing))
                for role, name in (("combo box", "Provider"), ("text", "Label"),
                                   ("text", "Endpoint"), ("password text", "API key"),
                                   ("toggle button", "Show API key"),
                                   ("push button", "Test")):
                    tap(find(form, role, name, pyatspi) is not None,
                        "the form has a %s named “%s”" % (role, name))
                key = find(form, "password text", "API key", pyatspi)
                labelled = False
                if key is not None:
                    for relation in key.getRelationSet():
                        if relation.getRelationType() == pyatspi.RELATION_LABELLED_BY:
                            labelled = True
                tap(labelled, "the key field is labelled by its visible label")
    finally:
        app.terminate()
        try:
            app.wait(10)
        except subprocess.TimeoutExpired:
            app.kill()
        daemon.terminate()
        daemon.wait()
        home.cleanup()
    return report()


def report():
    print("1..%d" % len(results))
    failed = 0
    for number, (ok, name, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", number, name))
        if not ok:
            failed += 1
            if detail:
                print("# " + detail)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
