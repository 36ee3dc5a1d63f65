"""Journey analytics: measures over stored spans and touchpoints, and the dashboard."""
