"""The settlement calendar: T+3, T+2 from 2017-09-05, T+1 from 2024-05-28 (Rule 15c6-1).

``settlement`` counts business days and dates the settlement cycle, the age of a
fail and the close-out deadlines that depend on it.
"""
