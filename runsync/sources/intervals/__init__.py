"""intervals.icu: activities (their original files), wellness and planned workouts through its key-based API."""
