"""Copies of a FIT file moved in time: every date_time field shifted, the CRC rewritten, so each copy is a distinct
activity (another content hash, another day). The offsets of the date_time fields are found once per template, so
a copy costs one numpy add and one CRC: the demo and the benchmarks write thousands of realistic files this way
instead of simulating each one."""

from __future__ import annotations

import numpy as np

from runsync.sources.files.fit_fast.crc import fit_crc
from runsync.sources.files.fit_fast.scan import scan_fit

# FIT fields that hold a date_time, per global message number (every message's 253 `timestamp` too):
# file_id.time_created, session.start_time, lap.start_time, activity.local_timestamp, set.start_time
TIME_FIELDS = {0: {4}, 18: {2}, 19: {2}, 34: {5}, 225: {6}}


class Template:
    """One FIT file (not chained, little-endian date_times) ready to be copied at other times."""

    def __init__(self, data: bytes) -> None:
        self.data = np.frombuffer(data, dtype=np.uint8).copy()
        scan = scan_fit(data)
        starts = []
        for offset, def_id in zip(scan.offsets, scan.def_ids, strict=True):
            defn = scan.definitions[def_id]
            if defn.endian != "<":
                raise ValueError("big-endian FIT files are not supported as templates")
            starts += [offset + fd.offset for fd in defn.fields
                       if fd.num == 253 or fd.num in TIME_FIELDS.get(defn.global_num, ())]  # fmt: skip
        self.starts = np.array(starts, dtype=np.int64)

    def shifted(self, seconds: int) -> bytes:
        """The file `seconds` later (earlier when negative)."""
        out = self.data.copy()
        view = out[: len(out) - 2]
        words = np.stack([view[self.starts + i] for i in range(4)]).astype(np.uint32)
        values = words[0] | (words[1] << 8) | (words[2] << 16) | (words[3] << 24)
        values = (values.astype(np.int64) + seconds).astype(np.uint32)
        for i in range(4):
            view[self.starts + i] = (values >> (8 * i)) & 0xFF
        crc = fit_crc(view.tobytes())
        out[-2], out[-1] = crc & 0xFF, crc >> 8
        return out.tobytes()
