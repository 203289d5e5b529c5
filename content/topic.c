/* The built-in topic table and how topics are named and ordered in reports.
 * The codes and names are those of the provincial information-source
 * systems (hệ thống thông tin nguồn cấp tỉnh), so an officer's report lines
 * up with what the province counts. */
#include "content/topic.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

struct topic_builtin {
	const char *vi, *en;             /* full names */
	const char *vi_short, *en_short; /* for chart legends */
};

static const struct topic_builtin builtins[TOPIC_BUILTIN_COUNT] = {
	{ "Thông tin chung", "General information",
	  "Thông tin chung", "General" },
	{ "Thông tin đột xuất, khẩn cấp", "Unscheduled and urgent information",
	  "Đột xuất, khẩn cấp", "Urgent" },
	{ "Chủ trương, đường lối của Đảng, chính sách, pháp luật của Nhà nước",
	  "Party and State policy and law",
	  "Chủ trương, chính sách, pháp luật", "Policy and law" },
	{ "Chỉ đạo, điều hành của cấp ủy, chính quyền",
	  "Direction of the local Party committee and government",
	  "Chỉ đạo, điều hành", "Local direction" },
	{ "Kiến thức khoa học, kỹ thuật, kinh tế, văn hóa, xã hội",
	  "Knowledge: science, technology, economy, culture, society",
	  "Kiến thức", "Knowledge" },
	{ "Gương người tốt, việc tốt, điển hình tiên tiến",
	  "Good people, good deeds and models",
	  "Gương người tốt, việc tốt", "Good examples" },
};

int topic_lang_parse(const char *s, enum topic_lang *out)
{
	if (s && strcmp(s, "vi") == 0)
		*out = TOPIC_LANG_VI;
	else if (s && strcmp(s, "en") == 0)
		*out = TOPIC_LANG_EN;
	else
		return -EINVAL;
	return 0;
}

bool topic_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 40 || s[0] == '-')
		return false;
	/* A number is a code, and only six exist: "7" or "01" is a typo, not
	 * a new topic of the station's. */
	if (strspn(s, "0123456789") == n)
		return topic_builtin_code(s) > 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

int topic_builtin_code(const char *s)
{
	if (s && s[0] >= '1' && s[0] <= '0' + TOPIC_BUILTIN_COUNT && s[1] == '\0')
		return s[0] - '0';
	return 0;
}

const char *topic_builtin_name(int code, enum topic_lang lang)
{
	if (code < 1 || code > TOPIC_BUILTIN_COUNT)
		return NULL;
	return lang == TOPIC_LANG_EN ? builtins[code - 1].en : builtins[code - 1].vi;
}

const char *topic_builtin_short(int code, enum topic_lang lang)
{
	if (code < 1 || code > TOPIC_BUILTIN_COUNT)
		return NULL;
	return lang == TOPIC_LANG_EN ? builtins[code - 1].en_short : builtins[code - 1].vi_short;
}

const char *topic_name(const char *topic, enum topic_lang lang)
{
	int code = topic_builtin_code(topic);

	if (code)
		return topic_builtin_name(code, lang);
	if (!topic)
		return lang == TOPIC_LANG_EN ? "(no topic)" : "(không có lĩnh vực)";
	return topic;
}

int topic_compare(const char *a, const char *b)
{
	int ca = topic_builtin_code(a), cb = topic_builtin_code(b);

	if (!a || !b)
		return !a - !b; /* NULL last */
	if (ca || cb) {
		if (ca && cb)
			return ca - cb;
		return ca ? -1 : 1;
	}
	return strcmp(a, b);
}
