"""The one-off move from the old Next.js + Prisma site: `manage.py import_legacy`.

It writes every app's tables (users and studios, messages, subscriptions, reports), so it
lives in an app of its own that depends on all of them and that nothing depends on.
"""
