"""`hr` messages (swim heart rate, stored and sent later) are not used by runsync, but fitdecode trips over
some: expanding `event_timestamp_12` it adds the start of the batch (the last `timestamp` seen when an
`event_timestamp` field was read) and raises when there is none yet, or when the field is all 0xFF. The fast
path replays exactly that state, and leaves such files to fitdecode so that both say the same."""

from __future__ import annotations

import numpy as np

from runsync.sources.files.fit_fast.bulk import message_parts, scalar_raw
from runsync.sources.files.fit_fast.layout import BYTE, HR, TIMESTAMP, Definition, Unsupported
from runsync.sources.files.fit_fast.scan import Scan

EVENT_TIMESTAMP, EVENT_TIMESTAMP_12 = 9, 10


def check_hr(  # noqa: PLR0913 - the arrays of one scanned file
    buf: np.ndarray, scan: Scan, grouped: dict[Definition, np.ndarray], offsets: np.ndarray, before: np.ndarray
) -> None:
    """Raise Unsupported where fitdecode would fail on an hr message. `before`: per message, the last valid
    timestamp field seen in an earlier message of its part (0 for none)."""
    steps = []  # (message index, field position, kind, value) replayed in file order
    for defn, idx in grouped.items():
        if defn.global_num != HR:
            continue
        for position, fd in enumerate(defn.fields):
            if fd.num in (TIMESTAMP, EVENT_TIMESTAMP_12):
                raw, valid = scalar_raw(buf, offsets[idx], fd, defn.endian)
                if fd.num == EVENT_TIMESTAMP_12 and fd.base != BYTE:
                    raise Unsupported("hr event_timestamp_12 that is not bytes")
                steps += [
                    (int(i), position, fd.num, int(r) if ok else None) for i, r, ok in zip(idx, raw, valid, strict=True)
                ]
            elif fd.num == EVENT_TIMESTAMP:
                steps += [(int(i), position, fd.num, None) for i in idx]
    _replay(sorted(steps, key=lambda s: s[:2]), scan, before)


def _replay(steps: list[tuple[int, int, int, int | None]], scan: Scan, before: np.ndarray) -> None:
    parts = message_parts(scan, np.asarray([s[0] for s in steps], dtype=np.int64))
    start, part, current, last = 0, -1, -1, 0
    for (index, _, num, value), step_part in zip(steps, parts, strict=True):
        if step_part != part:
            part, start = step_part, 0
        if index != current:
            current, last = index, int(before[index])
        if num == TIMESTAMP and value is not None:
            last = value
        elif num == EVENT_TIMESTAMP:
            start = last
        elif num == EVENT_TIMESTAMP_12 and (value is None or start <= 0):
            raise Unsupported("hr event_timestamp_12 that fitdecode cannot expand")
