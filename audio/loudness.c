/* The normalisation gain and its dB arithmetic, apart from the player so
 * the daemon, the tests and any report compute it the same way. */
#include "audio/loudness.h"

#include <math.h>

double loudness_gain_db(double measured_lufs, double target_lufs, double trim_db)
{
	double g;

	if (!isfinite(measured_lufs) || !isfinite(target_lufs))
		return trim_db;
	g = target_lufs - measured_lufs;
	if (g > LOUDNESS_MAX_BOOST_DB)
		g = LOUDNESS_MAX_BOOST_DB;
	return g + trim_db;
}

double loudness_db_to_amp(double db)
{
	return pow(10.0, db / 20.0);
}
