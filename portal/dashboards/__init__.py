"""Role dashboards of the home page (`/`): what a person needs today as staff, as a manager of a
team, as HR. Built from the modules' own queries and services; drawn as server-side SVG.

No blueprint of its own: the home blueprint's index renders the dashboards of the reader's roles.
"""
