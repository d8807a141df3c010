"""The kernel: the pieces every module shares, one of each.

It imports nothing from a module package (`portal.<module>`); modules import from here. See
docs/architecture.md for the layers.

- access:    who may reach an endpoint, declared once per view or blueprint, enforced in one hook
- clock:     today and now in the company's time zone, frozen in tests
- periods:   month, quarter and year: parse, format, add months
- forms:     the confirm form, checkbox lists, typed-text filters
- enums:     enum columns stored as their value
- markdown:  user-written Markdown rendered and sanitised
- urls:      the one check of a `next` URL
- downloads: CSV/XLSX/PDF/ICS responses with RFC 5987 file names and private caching
- lists:     search, whitelisted sort, pagination and the links between pages
- charts, bar_charts: SVG chart geometry and the shared bar-chart layouts
- panels:    the registry of home-page panels the modules contribute
- formats:   a percentage, hours, a label's colon, a run-on list in the reader's language
"""
