/* What the unit tests share: a private temporary folder per test, removed
 * with everything in it, and one-line SQL against a test's database.
 * Include after cmocka.h. */
#ifndef LOA_TEST_FIXTURE_H
#define LOA_TEST_FIXTURE_H

#include <ftw.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static inline int fixture_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Makes BUF (LEN bytes) a new folder "loa-test-NAME-XXXXXX" under $TMPDIR
 * or /tmp. Returns BUF, or NULL when it cannot be made. */
static inline char *fixture_tmpdir(char *buf, size_t len, const char *name)
{
	const char *t = getenv("TMPDIR");

	snprintf(buf, len, "%s/loa-test-%s-XXXXXX", t && *t ? t : "/tmp", name);
	return mkdtemp(buf);
}

/* Removes DIR and everything in it, links not followed. Returns 0, or -1
 * when something could not be removed. */
static inline int fixture_rmtree(const char *dir)
{
	return nftw(dir, fixture_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Runs SQL, failing the test with SQLite's word when it does not run. */
static inline void fixture_exec(sqlite3 *h, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(h, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
}

/* The first column of SQL's first row, or -1 when it has none. */
static inline int64_t fixture_int(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

#endif
