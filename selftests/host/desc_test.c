// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the event description parser (kernel/trace/uevt_desc.c,
 * compiled here for userspace): grammar, types, layout, limits, errors,
 * print format and payload validation.
 */
#include <stdint.h>
#include <string.h>

#include "uevt_desc.h"

#include "kselftest_harness.h"

static struct uevt_desc *parse_ok(struct __test_metadata *_metadata, const char *text)
{
	struct uevt_desc *d = NULL;
	int ret = uevt_desc_parse(text, &d);

	if (ret)
		TH_LOG("parse of \"%s\" failed: %d", text, ret);
	EXPECT_EQ(0, ret);
	return d;
}

#define PARSE_FAILS(text, err) do {					\
	struct uevt_desc *__d = NULL;					\
	EXPECT_EQ(err, uevt_desc_parse(text, &__d)) {			\
		TH_LOG("input: \"%s\"", text);				\
	}								\
	EXPECT_EQ(NULL, __d);						\
} while (0)

TEST(name_only)
{
	struct uevt_desc *d = parse_ok(_metadata, "  my_event  ");

	ASSERT_NE(NULL, d);
	EXPECT_STREQ("my_event", d->name);
	EXPECT_EQ(0U, d->nfields);
	EXPECT_EQ(0U, d->fixed_size);
	uevt_desc_free(d);
}

TEST(scalars_are_packed_in_order)
{
	struct uevt_desc *d = parse_ok(_metadata,
		"ev u8 a; s16 b; unsigned int c; long d; unsigned  long   long e; bool f; char g");

	ASSERT_NE(NULL, d);
	ASSERT_EQ(7U, d->nfields);
	EXPECT_EQ(1U + 2 + 4 + 8 + 8 + 1 + 1, d->fixed_size);
	EXPECT_EQ(0U, d->fields[0].offset);
	EXPECT_EQ(1U, d->fields[1].offset);
	EXPECT_EQ(3U, d->fields[2].offset);
	EXPECT_EQ(7U, d->fields[3].offset);
	EXPECT_EQ(15U, d->fields[4].offset);
	EXPECT_STREQ("unsigned long long", d->fields[4].type);
	EXPECT_EQ(8U, d->fields[4].size);
	EXPECT_FALSE(d->fields[4].is_signed);
	EXPECT_TRUE(d->fields[1].is_signed);
	EXPECT_TRUE(d->fields[3].is_signed);
	EXPECT_EQ(UEVT_FIELD_SCALAR, d->fields[6].kind);
	uevt_desc_free(d);
}

TEST(fixed_arrays)
{
	struct uevt_desc *d;

	/* "unsigned char raw[3]" is not the grammar: the bracket goes with the type. */
	PARSE_FAILS("ev char[16] comm; u32 [4] v; unsigned char raw[3]", -EINVAL);

	d = parse_ok(_metadata, "ev char[16] comm; u32 [4] v; unsigned char[3] raw");
	ASSERT_NE(NULL, d);
	ASSERT_EQ(3U, d->nfields);
	EXPECT_EQ(UEVT_FIELD_ARRAY, d->fields[0].kind);
	EXPECT_TRUE(d->fields[0].is_string);
	EXPECT_EQ(16U, d->fields[0].size);
	EXPECT_STREQ("u32[4]", d->fields[1].type);
	EXPECT_EQ(16U, d->fields[1].size);
	EXPECT_FALSE(d->fields[1].is_string);
	EXPECT_EQ(32U, d->fields[2].offset);
	EXPECT_TRUE(d->fields[2].is_string);
	uevt_desc_free(d);
}

TEST(explicit_size_must_match)
{
	struct uevt_desc *d = parse_ok(_metadata, "ev u32 a 4; char[8] b 8");

	ASSERT_NE(NULL, d);
	EXPECT_EQ(12U, d->fixed_size);
	uevt_desc_free(d);
	PARSE_FAILS("ev u32 a 8", -EINVAL);
	PARSE_FAILS("ev char[8] b 9", -EINVAL);
}

TEST(struct_fields)
{
	struct uevt_desc *d = parse_ok(_metadata, "ev struct point p 16; u8 after");

	ASSERT_NE(NULL, d);
	EXPECT_EQ(UEVT_FIELD_STRUCT, d->fields[0].kind);
	EXPECT_STREQ("struct point", d->fields[0].type);
	EXPECT_STREQ("p", d->fields[0].name);
	EXPECT_EQ(16U, d->fields[0].size);
	EXPECT_EQ(16U, d->fields[1].offset);
	uevt_desc_free(d);
	PARSE_FAILS("ev struct point p", -EINVAL);
	PARSE_FAILS("ev struct point p 0", -EINVAL);
	PARSE_FAILS("ev struct 9bad p 4", -EINVAL);
}

TEST(dynamic_fields)
{
	struct uevt_desc *d = parse_ok(_metadata,
		"ev __data_loc char[] path; __rel_loc u16[] vals; __data_loc unsigned char[] blob");

	ASSERT_NE(NULL, d);
	ASSERT_EQ(3U, d->nfields);
	EXPECT_EQ(UEVT_FIELD_DATA_LOC, d->fields[0].kind);
	EXPECT_STREQ("__data_loc char[]", d->fields[0].type);
	EXPECT_TRUE(d->fields[0].is_string);
	EXPECT_EQ(4U, d->fields[0].size);
	EXPECT_EQ(UEVT_FIELD_REL_LOC, d->fields[1].kind);
	EXPECT_FALSE(d->fields[1].is_string);
	EXPECT_EQ(2U, d->fields[1].elem_size);
	EXPECT_EQ(3U, d->ndynamic);
	EXPECT_EQ(12U, d->fixed_size);
	uevt_desc_free(d);
	PARSE_FAILS("ev __data_loc char path", -EINVAL);
	PARSE_FAILS("ev __data_loc char[4] path", -EINVAL);
	PARSE_FAILS("ev __data_loc [] path", -EINVAL);
	PARSE_FAILS("ev __rel_loc float[] f", -EINVAL);
}

TEST(separators_and_whitespace)
{
	struct uevt_desc *d = parse_ok(_metadata, "\tev\tu32 a ;; \t u64\tb ;");

	ASSERT_NE(NULL, d);
	EXPECT_EQ(2U, d->nfields);
	EXPECT_STREQ("b", d->fields[1].name);
	uevt_desc_free(d);
}

TEST(bad_names)
{
	PARSE_FAILS("", -EINVAL);
	PARSE_FAILS("   ", -EINVAL);
	PARSE_FAILS("9event u32 a", -EINVAL);
	PARSE_FAILS("ev-ent u32 a", -EINVAL);
	PARSE_FAILS("ev u32 a-b", -EINVAL);
	PARSE_FAILS("ev u32 1a", -EINVAL);
	PARSE_FAILS("ev u32 common_pid", -EINVAL);
	PARSE_FAILS("ev u32 a; u64 a", -EINVAL);
	PARSE_FAILS("ev:BPF_ITER u32 a", -EINVAL);
	PARSE_FAILS("ev: u32 a", -EINVAL);
	PARSE_FAILS("ev u32", -EINVAL);
	PARSE_FAILS("ev float f", -EINVAL);
	PARSE_FAILS("ev unsigned float f", -EINVAL);
}

TEST(limits)
{
	char buf[UEVT_DESC_MAX + 64];
	size_t pos;
	int i;

	/* Longest valid name, and one past it. */
	memset(buf, 'n', UEVT_NAME_MAX - 1);
	buf[UEVT_NAME_MAX - 1] = '\0';
	{
		struct uevt_desc *d = parse_ok(_metadata, buf);

		uevt_desc_free(d);
	}
	memset(buf, 'n', UEVT_NAME_MAX);
	buf[UEVT_NAME_MAX] = '\0';
	PARSE_FAILS(buf, -EINVAL);

	/* Too many fields. */
	pos = (size_t)sprintf(buf, "ev");
	for (i = 0; i <= UEVT_FIELDS_MAX; i++)
		pos += (size_t)sprintf(buf + pos, " u8 f%d;", i);
	PARSE_FAILS(buf, -E2BIG);

	/* Description too long. */
	memset(buf, ' ', sizeof(buf));
	memcpy(buf, "ev u8 a", 7);
	buf[UEVT_DESC_MAX] = '\0';
	PARSE_FAILS(buf, -E2BIG);

	/* Array too large, payload too large. */
	PARSE_FAILS("ev char[1025] a", -EINVAL);
	PARSE_FAILS("ev char[1024] a; char[1024] b; char[1024] c; char[1024] d", -E2BIG);
	PARSE_FAILS("ev struct big a 4001", -EINVAL);
}

TEST(same_fields)
{
	struct uevt_desc *a = parse_ok(_metadata, "a u32 x; char[4] s");
	struct uevt_desc *b = parse_ok(_metadata, "b  u32  x ;char [4] s;");
	struct uevt_desc *c = parse_ok(_metadata, "a u32 x; char[5] s");
	struct uevt_desc *e = parse_ok(_metadata, "a s32 x; char[4] s");

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_NE(NULL, c);
	ASSERT_NE(NULL, e);
	EXPECT_TRUE(uevt_desc_same_fields(a, b));
	EXPECT_FALSE(uevt_desc_same_fields(a, c));
	EXPECT_FALSE(uevt_desc_same_fields(a, e));
	uevt_desc_free(a);
	uevt_desc_free(b);
	uevt_desc_free(c);
	uevt_desc_free(e);
}

TEST(print_fmt)
{
	struct uevt_desc *d = parse_ok(_metadata,
		"ev u32 a; s64 b; char[8] c; __data_loc char[] p; __rel_loc char[] r; "
		"u8[2] h; __data_loc u8[] blob");
	char buf[512], small[8];
	int n;

	ASSERT_NE(NULL, d);
	n = uevt_desc_print_fmt(d, false, buf, sizeof(buf));
	EXPECT_STREQ("\"a=%u b=%lld c=%s p=%s r=%s h=%s blob=%s\", REC->a, REC->b, REC->c, "
		     "__get_str(p), __get_rel_str(r), __print_hex(REC->h, sizeof(REC->h)), "
		     "__print_hex(__get_dynamic_array(blob), __get_dynamic_array_len(blob))",
		     buf);
	EXPECT_EQ((int)strlen(buf), n);
	/* Truncation reports the full length, like snprintf. */
	EXPECT_EQ(n, uevt_desc_print_fmt(d, false, small, sizeof(small)));
	EXPECT_EQ(7U, strlen(small));
	uevt_desc_free(d);

	/* 8- and 16-bit integers: length modifiers, or the built-in's spelling. */
	d = parse_ok(_metadata, "ev s8 a; u8 b; s16 c; u16 d");
	ASSERT_NE(NULL, d);
	uevt_desc_print_fmt(d, false, buf, sizeof(buf));
	EXPECT_STREQ("\"a=%hhd b=%hhu c=%hd d=%hu\", REC->a, REC->b, REC->c, REC->d", buf);
	uevt_desc_print_fmt(d, true, buf, sizeof(buf));
	EXPECT_STREQ("\"a=%d b=%u c=%d d=%u\", REC->a, REC->b, REC->c, REC->d", buf);
	uevt_desc_free(d);
}

/* Record = 8 header bytes, then the payload. */
struct rec {
	uint8_t hdr[8];
	uint32_t n;
	uint32_t str_loc;
	uint32_t rel_loc;
	char data[16];
} __attribute__((packed));

TEST(validate)
{
	struct uevt_desc *d = parse_ok(_metadata,
		"ev u32 n; __data_loc char[] s; __rel_loc char[] r");
	struct rec r = { .n = 1 };
	size_t full = sizeof(r);

	ASSERT_NE(NULL, d);
	memcpy(r.data, "hello\0abc\0", 10);
	r.str_loc = 6u << 16 | (uint32_t)offsetof(struct rec, data);
	/* rel_loc counts from the end of its own 4 bytes. */
	r.rel_loc = 4u << 16 | 6;
	EXPECT_EQ(0, uevt_desc_validate(d, &r, full));

	/* Shorter than the fixed fields. */
	EXPECT_EQ(-EINVAL, uevt_desc_validate(d, &r, 8 + 11));
	/* Past the end. */
	r.str_loc = 17u << 16 | (uint32_t)offsetof(struct rec, data);
	EXPECT_EQ(-EFAULT, uevt_desc_validate(d, &r, full));
	/* Pointing into the fixed fields. */
	r.str_loc = 4u << 16 | 8;
	EXPECT_EQ(-EFAULT, uevt_desc_validate(d, &r, full));
	/* Not NUL-terminated. */
	r.str_loc = 5u << 16 | (uint32_t)offsetof(struct rec, data);
	EXPECT_EQ(-EFAULT, uevt_desc_validate(d, &r, full));
	/* Empty string has no NUL. */
	r.str_loc = 0u << 16 | (uint32_t)offsetof(struct rec, data);
	EXPECT_EQ(-EFAULT, uevt_desc_validate(d, &r, full));
	r.str_loc = 6u << 16 | (uint32_t)offsetof(struct rec, data);
	r.rel_loc = 3u << 16 | 6;	/* "abc" without its NUL */
	EXPECT_EQ(-EFAULT, uevt_desc_validate(d, &r, full));
	uevt_desc_free(d);
}

TEST(validate_binary_arrays)
{
	struct uevt_desc *d = parse_ok(_metadata, "ev __data_loc u32[] v");
	uint8_t r[8 + 4 + 8] = { 0 };
	uint32_t loc;

	ASSERT_NE(NULL, d);
	loc = 8u << 16 | 12;
	memcpy(r + 8, &loc, 4);
	EXPECT_EQ(0, uevt_desc_validate(d, r, sizeof(r)));
	loc = 6u << 16 | 12;	/* not whole elements */
	memcpy(r + 8, &loc, 4);
	EXPECT_EQ(-EFAULT, uevt_desc_validate(d, r, sizeof(r)));
	loc = 0;		/* empty array: fine wherever it points */
	memcpy(r + 8, &loc, 4);
	EXPECT_EQ(0, uevt_desc_validate(d, r, sizeof(r)));
	uevt_desc_free(d);
}

TEST_HARNESS_MAIN
