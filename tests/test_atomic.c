/* Tests of whole-or-nothing files (util/atomic.c) and of the one SHA-256
 * hex encoder (util/sha256.c): a committed file has its bytes and mode, a
 * file is never written over where that is refused, and nothing is left
 * behind by a commit that fails or a write given up. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/fixture.h"
#include "util/atomic.h"
#include "util/sha256.h"
#include "util/xmalloc.h"

static char dir[128];

static int setup(void **state)
{
	(void)state;
	return fixture_tmpdir(dir, sizeof(dir), "atomic") ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	fixture_rmtree(dir);
	return 0;
}

/* How many entries the test's folder holds. */
static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static char *slurp(const char *path)
{
	char *buf = xcalloc(1, 256);
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_true(read(fd, buf, 255) >= 0);
	close(fd);
	return buf;
}

static void test_commit_gives_the_file_its_bytes_and_mode(void **state)
{
	char *path = xasprintf("%s/report.csv", dir), *got;
	struct atomic_file f;
	struct stat st;

	(void)state;
	assert_int_equal(atomic_open(&f, path, 0640), 0);
	assert_int_equal(atomic_write_all(f.fd, "a,b\r\n", 5), 0);
	assert_int_equal(entries(), 1); /* only the temporary file so far */
	assert_int_equal(atomic_commit(&f, false), 0);
	got = slurp(path);
	assert_string_equal(got, "a,b\r\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_int_equal(entries(), 1);
	free(got);
	free(path);
}

static void test_noreplace_keeps_what_is_there(void **state)
{
	char *path = xasprintf("%s/backup.db", dir), *got;
	struct atomic_file f;
	FILE *fp = fopen(path, "w");

	(void)state;
	fputs("earlier", fp);
	fclose(fp);
	assert_int_equal(atomic_open(&f, path, 0640), 0);
	assert_int_equal(atomic_write_all(f.fd, "later", 5), 0);
	assert_int_equal(atomic_commit(&f, true), -EEXIST);
	got = slurp(path);
	assert_string_equal(got, "earlier");
	assert_int_equal(entries(), 1); /* the temporary file is gone */
	free(got);

	/* Replacing, when asked, is whole. */
	assert_int_equal(atomic_open(&f, path, 0640), 0);
	assert_int_equal(atomic_write_all(f.fd, "later", 5), 0);
	assert_int_equal(atomic_commit(&f, false), 0);
	got = slurp(path);
	assert_string_equal(got, "later");
	free(got);
	free(path);
}

static void test_abort_leaves_nothing(void **state)
{
	char *path = xasprintf("%s/never.csv", dir);
	struct atomic_file f;

	(void)state;
	assert_int_equal(atomic_open(&f, path, 0600), 0);
	assert_int_equal(atomic_write_all(f.fd, "half", 4), 0);
	atomic_abort(&f);
	assert_int_equal(entries(), 0);
	assert_int_equal(access(path, F_OK), -1);
	free(path);
}

static void test_open_in_a_missing_folder_fails_cleanly(void **state)
{
	char *path = xasprintf("%s/missing/r.csv", dir);
	struct atomic_file f;

	(void)state;
	assert_int_equal(atomic_open(&f, path, 0600), -ENOENT);
	assert_int_equal(entries(), 0);
	free(path);
}

static void test_rename_noreplace(void **state)
{
	char *a = xasprintf("%s/a", dir), *b = xasprintf("%s/b", dir);
	FILE *fp;

	(void)state;
	fp = fopen(a, "w");
	fclose(fp);
	fp = fopen(b, "w");
	fclose(fp);
	assert_int_equal(atomic_rename_noreplace(a, b), -EEXIST);
	assert_int_equal(unlink(b), 0);
	assert_int_equal(atomic_rename_noreplace(a, b), 0);
	assert_int_equal(access(a, F_OK), -1);
	assert_int_equal(access(b, F_OK), 0);
	free(a);
	free(b);
}

/* FIPS 180-2's "abc" and the empty message, through the one encoder. */
static void test_sha256_hex(void **state)
{
	char hex[SHA256_HEX];

	(void)state;
	sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_true(sha256_hex_valid(hex));
	hex[3] = 'A';
	assert_false(sha256_hex_valid(hex));
	assert_false(sha256_hex_valid("abc"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commit_gives_the_file_its_bytes_and_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_noreplace_keeps_what_is_there, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_in_a_missing_folder_fails_cleanly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_noreplace, setup, teardown),
		cmocka_unit_test(test_sha256_hex),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
