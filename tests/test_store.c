/* Tests of content/store.c: content hashes against known SHA-256 vectors,
 * and the atomic copy into STATE_DIR/content: made once, found again, the
 * same bytes, mode 0640, no temporary file left behind on success or on
 * failure. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tests/fixture.h"
#include "content/store.h"
#include "util/xmalloc.h"

#define ABC_SHA256 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define MILLION_A_SHA256 "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"

struct fixture {
	char dir[256];
	char *state; /* not created yet: store_put must make it */
	char *content;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	const char *t = getenv("TMPDIR");

	snprintf(f->dir, sizeof(f->dir), "%s/loa-test-store-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	f->state = xasprintf("%s/state", f->dir);
	f->content = xasprintf("%s/state/content", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int r = fixture_rmtree(f->dir);

	free(f->state);
	free(f->content);
	free(f);
	return r;
}

static char *write_file(struct fixture *f, const char *name, const void *p, size_t n)
{
	char *path = xasprintf("%s/%s", f->dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
	return path;
}

/* Entries in dir other than . and ..; *tmp counts names that look temporary. */
static int count_entries(const char *dir, int *tmp)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	*tmp = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		n++;
		if (e->d_name[0] == '.' || strstr(e->d_name, "tmp"))
			(*tmp)++;
	}
	closedir(d);
	return n;
}

static void test_hash_vectors(void **state)
{
	struct fixture *f = *state;
	char hex[SHA256_HEX];
	char *abc = write_file(f, "abc", "abc", 3);
	char *empty = write_file(f, "empty", "", 0);
	char *big, *million = xmalloc(1000000);

	memset(million, 'a', 1000000);
	big = write_file(f, "million", million, 1000000);

	assert_int_equal(store_hash_file(abc, hex), 0);
	assert_string_equal(hex, ABC_SHA256);
	assert_int_equal(store_hash_file(empty, hex), 0);
	assert_string_equal(hex, EMPTY_SHA256);
	/* Larger than any read buffer: the stream is hashed in pieces. */
	assert_int_equal(store_hash_file(big, hex), 0);
	assert_string_equal(hex, MILLION_A_SHA256);
	free(abc);
	free(empty);
	free(big);
	free(million);
}

static void test_hash_errors(void **state)
{
	struct fixture *f = *state;
	char hex[SHA256_HEX];
	char *missing = xasprintf("%s/missing", f->dir);

	assert_int_equal(store_hash_file(missing, hex), -ENOENT);
	/* A folder opens but cannot be read. */
	assert_int_equal(store_hash_file(f->dir, hex), -EISDIR);
	free(missing);
}

static void test_put_once(void **state)
{
	struct fixture *f = *state;
	static const char data[] = "ID3 not really audio, but bytes are bytes\n";
	char *src = write_file(f, "bulletin.mp3", data, sizeof(data) - 1);
	char hex[SHA256_HEX], got[128] = "";
	char *stored = NULL, *again = NULL, *want;
	bool created = false;
	struct stat st;
	int fd, tmp;
	ssize_t n;

	assert_int_equal(store_hash_file(src, hex), 0);
	assert_int_equal(store_put(f->state, src, hex, ".mp3", &stored, &created), 0);
	assert_true(created);
	want = xasprintf("%s/%s.mp3", f->content, hex);
	assert_string_equal(stored, want);
	assert_true(stored[0] == '/');

	/* Same bytes, owner read-write, group read, nobody else. */
	assert_int_equal(stat(stored, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_size, (off_t)(sizeof(data) - 1));
	fd = open(stored, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	n = read(fd, got, sizeof(got) - 1);
	close(fd);
	assert_int_equal(n, (ssize_t)(sizeof(data) - 1));
	assert_string_equal(got, data);

	/* The state dir and its content dir were made, without world access. */
	assert_int_equal(stat(f->content, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0007, 0);
	assert_int_equal(count_entries(f->content, &tmp), 1);
	assert_int_equal(tmp, 0);

	/* The same content again: found, not copied. */
	assert_int_equal(store_put(f->state, src, hex, ".mp3", &again, &created), 0);
	assert_false(created);
	assert_string_equal(again, stored);
	assert_int_equal(count_entries(f->content, &tmp), 1);

	free(src);
	free(stored);
	free(again);
	free(want);
}

static void test_put_extensions(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *ext, *suffix;
	} cases[] = {
		{ ".MP3", ".mp3" },
		{ ".flac", ".flac" },
		{ "", "" },
		{ NULL, "" },
		{ ".w@v", "" },
		{ "./../x", "" },
		{ ".ogg ", "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[16];
		char *src, *stored = NULL, *want;
		char hex[SHA256_HEX];
		bool created;

		/* Different bytes each time, so each is a new file. */
		snprintf(name, sizeof(name), "src%zu", i);
		src = write_file(f, name, name, strlen(name));
		assert_int_equal(store_hash_file(src, hex), 0);
		assert_int_equal(store_put(f->state, src, hex, cases[i].ext, &stored, &created), 0);
		assert_true(created);
		want = xasprintf("%s/%s%s", f->content, hex, cases[i].suffix);
		assert_string_equal(stored, want);
		assert_int_equal(access(want, F_OK), 0);
		free(src);
		free(stored);
		free(want);
	}
}

/* A relative state dir still yields a path that works from anywhere. */
static void test_put_relative_state_dir(void **state)
{
	struct fixture *f = *state;
	char *src = write_file(f, "rel", "relative", 8);
	char hex[SHA256_HEX], cwd[4096];
	char *stored = NULL, *want;
	bool created;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->dir), 0);
	assert_int_equal(store_hash_file(src, hex), 0);
	assert_int_equal(store_put("state", src, hex, ".wav", &stored, &created), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_true(created);
	want = xasprintf("%s/%s.wav", f->content, hex);
	assert_string_equal(stored, want);
	free(src);
	free(stored);
	free(want);
}

static void test_put_errors(void **state)
{
	struct fixture *f = *state;
	char *src = write_file(f, "good", "good", 4);
	char *plain = write_file(f, "plain-file", "x", 1);
	char *deep = xasprintf("%s/no/such/parent", f->dir);
	char *missing = xasprintf("%s/missing", f->dir);
	char *stored = (char *)"unchanged";
	char hex[SHA256_HEX];
	bool created = true;
	int tmp;

	assert_int_equal(store_hash_file(src, hex), 0);

	/* A state dir that is a file, or whose parent is missing. */
	assert_int_equal(store_put(plain, src, hex, ".mp3", &stored, &created), -ENOTDIR);
	assert_null(stored);
	assert_false(created);
	assert_int_equal(store_put(deep, src, hex, ".mp3", &stored, &created), -ENOENT);
	assert_null(stored);

	/* Not a hash: refused before it becomes a file name. */
	assert_int_equal(store_put(f->state, src, "../../etc/passwd", "", &stored, &created), -EINVAL);
	assert_int_equal(store_put(f->state, src, "ABC", "", &stored, &created), -EINVAL);

	/* The source vanishes, or cannot be read mid-copy: nothing stays. */
	assert_int_equal(store_put(f->state, missing, hex, ".mp3", &stored, &created), -ENOENT);
	assert_null(stored);
	assert_int_equal(store_put(f->state, f->dir, hex, ".mp3", &stored, &created), -EISDIR);
	assert_null(stored);
	assert_false(created);
	assert_int_equal(count_entries(f->content, &tmp), 0);
	assert_int_equal(tmp, 0);

	free(src);
	free(plain);
	free(deep);
	free(missing);
}

/* Through a descriptor: the hash reads from the first byte wherever the
 * offset is, and a file that no longer hashes to what was judged (it
 * changed while being imported) is not stored. */
static void test_put_fd(void **state)
{
	struct fixture *f = *state;
	char *src = write_file(f, "bulletin.mp3", "abc", 3);
	char hex[SHA256_HEX], *stored = NULL;
	bool created = false;
	int fd = open(src, O_RDWR | O_CLOEXEC), tmp;

	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 2, SEEK_SET), 2);
	assert_int_equal(store_hash_fd(fd, hex), 0);
	assert_string_equal(hex, ABC_SHA256);

	assert_int_equal(pwrite(fd, "x", 1, 0), 1);
	assert_int_equal(store_put_fd(f->state, fd, hex, ".mp3", &stored, &created), -EAGAIN);
	assert_null(stored);
	assert_false(created);
	assert_int_equal(count_entries(f->content, &tmp), 0);

	assert_int_equal(pwrite(fd, "a", 1, 0), 1);
	assert_int_equal(store_put_fd(f->state, fd, hex, ".mp3", &stored, &created), 0);
	assert_true(created);
	assert_non_null(strstr(stored, ABC_SHA256 ".mp3"));
	assert_int_equal(count_entries(f->content, &tmp), 1);
	assert_int_equal(tmp, 0);
	close(fd);
	free(stored);
	free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hash_vectors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hash_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_extensions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_relative_state_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_fd, setup, teardown),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
