"""GPX and TCX files of the same simulated recordings the FIT writer writes (runsync.demo.track), for tests and
archive fixtures: GPX with gpxpy (Garmin's TrackPointExtension for heart rate and cadence), TCX with lxml (laps
with their Intensity and TriggerMethod, RunCadence in strides per minute as Garmin writes it)."""

from __future__ import annotations

from datetime import timedelta

import gpxpy.gpx
from lxml import etree

from runsync.demo.track import ActivitySpec, laps, position, simulate

TPX = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v{version}"
AX = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"
TCX_SPORTS = {"running": "Running", "cycling": "Biking"}
INTENSITY = {"rest": "Resting", "recovery": "Resting"}
TRIGGER = {"manual": "Manual", "distance": "Distance", "session_end": "Manual"}


def write_gpx(spec: ActivitySpec, *, name: str = "Morning Run", gpx_type: str | None = "running",
              times: bool = True) -> bytes:  # fmt: skip
    track = simulate(spec)
    document = gpxpy.gpx.GPX()
    document.nsmap["gpxtpx"] = TPX
    trk = gpxpy.gpx.GPXTrack(name=name)
    trk.type = gpx_type
    segment = gpxpy.gpx.GPXTrackSegment()
    for sample in track.samples:
        lat, lon = position(spec, sample.distance_m)
        point = gpxpy.gpx.GPXTrackPoint(lat, lon, elevation=sample.altitude_m,
                                        time=spec.start + timedelta(seconds=sample.t) if times else None)  # fmt: skip
        extension = etree.Element(f"{{{TPX}}}TrackPointExtension")
        etree.SubElement(extension, f"{{{TPX}}}hr").text = str(sample.hr)
        if sample.cadence_spm:
            etree.SubElement(extension, f"{{{TPX}}}cad").text = str(round(sample.cadence_spm / 2))
        point.extensions.append(extension)
        segment.points.append(point)
    trk.segments.append(segment)
    document.tracks.append(trk)
    return document.to_xml().encode()


def write_tcx(spec: ActivitySpec, *, notes: str | None = None, version: int = 2) -> bytes:
    track = simulate(spec)
    ns = TCX_NS.format(version=version)
    root = etree.Element(f"{{{ns}}}TrainingCenterDatabase", nsmap={None: ns, "ns3": AX})
    activity = etree.SubElement(etree.SubElement(root, f"{{{ns}}}Activities"), f"{{{ns}}}Activity",
                                Sport=TCX_SPORTS.get(spec.sport, "Other"))  # fmt: skip
    etree.SubElement(activity, f"{{{ns}}}Id").text = spec.start.isoformat().replace("+00:00", "Z")
    for lap in laps(spec, track):
        _lap(activity, ns, spec, lap)
    if notes:
        etree.SubElement(activity, f"{{{ns}}}Notes").text = notes
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _lap(activity: etree._Element, ns: str, spec: ActivitySpec, lap) -> None:  # noqa: ANN001 - a TrackLap
    def sub(parent: etree._Element, tag: str, text: object | None = None, **attrs: str) -> etree._Element:
        element = etree.SubElement(parent, f"{{{ns}}}{tag}", **attrs)
        if text is not None:
            element.text = str(text)
        return element

    start = spec.start + timedelta(seconds=lap.start_t)
    element = sub(activity, "Lap", StartTime=start.isoformat().replace("+00:00", "Z"))
    distance = (lap.samples[-1].distance_m - lap.start_distance_m) if lap.samples else 0.0
    sub(element, "TotalTimeSeconds", len(lap.samples))
    sub(element, "DistanceMeters", round(distance, 2))
    if lap.samples:
        sub(sub(element, "AverageHeartRateBpm"), "Value", round(sum(s.hr for s in lap.samples) / len(lap.samples)))
        sub(sub(element, "MaximumHeartRateBpm"), "Value", max(s.hr for s in lap.samples))
    sub(element, "Intensity", INTENSITY.get(lap.intensity or "", "Active"))
    sub(element, "TriggerMethod", TRIGGER.get(lap.trigger, "Manual"))
    points = sub(element, "Track")
    for sample in lap.samples:
        point = sub(points, "Trackpoint")
        sub(point, "Time", (spec.start + timedelta(seconds=sample.t)).isoformat().replace("+00:00", "Z"))
        lat, lon = position(spec, sample.distance_m)
        position_element = sub(point, "Position")
        sub(position_element, "LatitudeDegrees", round(lat, 7))
        sub(position_element, "LongitudeDegrees", round(lon, 7))
        sub(point, "AltitudeMeters", round(sample.altitude_m, 1))
        sub(point, "DistanceMeters", round(sample.distance_m, 2))
        sub(sub(point, "HeartRateBpm"), "Value", sample.hr)
        if sample.cadence_spm:
            tpx = etree.SubElement(sub(point, "Extensions"), f"{{{AX}}}TPX")
            etree.SubElement(tpx, f"{{{AX}}}RunCadence").text = str(round(sample.cadence_spm / 2))
