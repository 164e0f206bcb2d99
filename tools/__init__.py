"""The course's tools, run from the repository's root as ``python -m tools.NAME`` (the
Makefile's targets do). :mod:`tools.course` holds what they share: the paths, the lessons, and
how a lesson is run and stored."""
