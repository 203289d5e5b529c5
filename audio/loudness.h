/* Loudness normalisation: the gain that brings a bulletin, measured at
 * import (EBU R128 integrated loudness), to the station's target. */
#ifndef LOA_LOUDNESS_H
#define LOA_LOUDNESS_H

/* The largest boost normalisation gives: a recording 20 LU under the target
 * is mostly noise floor and hum, and lifting it further only airs those. */
#define LOUDNESS_MAX_BOOST_DB 20.0

/* Gain in dB for a bulletin measured at MEASURED_LUFS to air at TARGET_LUFS,
 * plus the station trim TRIM_DB (applied on top of the cap). An unmeasurable
 * loudness (-INFINITY or NaN: silence, or too short to gate) gets the trim
 * alone; the boost is capped at LOUDNESS_MAX_BOOST_DB. */
double loudness_gain_db(double measured_lufs, double target_lufs, double trim_db);
/* Amplitude factor for DB decibels. */
double loudness_db_to_amp(double db);

#endif
