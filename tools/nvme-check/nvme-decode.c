/*
 * nvme-decode: an outside reader of the NVMe structures jdma produces, built against Debian's
 * libnvme-dev. It decodes Identify Controller and Identify Namespace data with libnvme's
 * struct nvme_id_ctrl / struct nvme_id_ns, and submission / completion queue entries (libnvme 1.3
 * has no SQE or CQE struct: they are declared here, their shared offsets pinned to the Linux
 * passthrough ABI struct nvme_passthru_cmd, status fields decoded with libnvme's helpers), then
 * prints one "name=value" line per field. Integers are decimal, strings lose trailing blanks.
 *
 *   nvme-decode id-ctrl FILE     4096 bytes of Identify CNS 01h
 *   nvme-decode id-ns FILE       4096 bytes of Identify CNS 00h
 *   nvme-decode sqe FILE         64-byte entries, one after another
 *   nvme-decode cqe FILE         16-byte entries, one after another
 *   nvme-decode smart FILE       512 bytes of Get Log Page 02h (SMART / health)
 *   nvme-decode error-log FILE   64-byte Get Log Page 01h entries
 *   nvme-decode fw-log FILE      512 bytes of Get Log Page 03h (firmware slot information)
 */
#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libnvme.h>

/* Submission queue entry (NVMe base spec 4.2). */
struct sqe {
	uint8_t opcode;
	uint8_t flags;		/* FUSE 1:0, PSDT 7:6 */
	uint16_t cid;
	uint32_t nsid;
	uint32_t cdw2;
	uint32_t cdw3;
	uint64_t mptr;
	uint64_t prp1;		/* or the SGL descriptor's address */
	uint64_t prp2;		/* or its length, reserved bytes and identifier */
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};

/* Completion queue entry (NVMe base spec 4.6). */
struct cqe {
	uint32_t dw0;
	uint32_t dw1;
	uint16_t sqhd;
	uint16_t sqid;
	uint16_t cid;
	uint16_t status;	/* phase 0, status field 15:1 */
};

_Static_assert(sizeof(struct sqe) == 64, "SQE is 64 bytes");
_Static_assert(sizeof(struct cqe) == 16, "CQE is 16 bytes");
/* The Linux passthrough command mirrors the SQE wherever it does not carry user pointers' lengths. */
_Static_assert(offsetof(struct sqe, opcode) == offsetof(struct nvme_passthru_cmd, opcode), "opcode");
_Static_assert(offsetof(struct sqe, flags) == offsetof(struct nvme_passthru_cmd, flags), "flags");
_Static_assert(offsetof(struct sqe, nsid) == offsetof(struct nvme_passthru_cmd, nsid), "nsid");
_Static_assert(offsetof(struct sqe, cdw2) == offsetof(struct nvme_passthru_cmd, cdw2), "cdw2");
_Static_assert(offsetof(struct sqe, mptr) == offsetof(struct nvme_passthru_cmd, metadata), "mptr");
_Static_assert(offsetof(struct sqe, prp1) == offsetof(struct nvme_passthru_cmd, addr), "prp1");
_Static_assert(offsetof(struct sqe, cdw10) == offsetof(struct nvme_passthru_cmd, cdw10), "cdw10");
_Static_assert(offsetof(struct sqe, cdw15) == offsetof(struct nvme_passthru_cmd, cdw15), "cdw15");
_Static_assert(sizeof(struct nvme_id_ctrl) == 4096, "libnvme's Identify Controller");
_Static_assert(sizeof(struct nvme_id_ns) == 4096, "libnvme's Identify Namespace");
_Static_assert(sizeof(struct nvme_smart_log) == 512, "libnvme's SMART / health log");
_Static_assert(sizeof(struct nvme_error_log_page) == 64, "libnvme's error log entry");
_Static_assert(sizeof(struct nvme_firmware_slot) == 512, "libnvme's firmware slot log");

static void *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	void *data = calloc(1, n > 0 ? (size_t)n : 1);
	if (!data || fread(data, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "%s: cannot read %ld bytes\n", path, n);
		exit(2);
	}
	fclose(f);
	*size = (size_t)n;
	return data;
}

static void *slurp_exact(const char *path, size_t want)
{
	size_t size;
	void *data = slurp(path, &size);
	if (size != want) {
		fprintf(stderr, "%s: %zu bytes, expected %zu\n", path, size, want);
		exit(2);
	}
	return data;
}

static void str(const char *name, const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\0'))
		n--;
	printf("%s=%.*s\n", name, (int)n, s);
}

static void num(const char *name, unsigned long long v)
{
	printf("%s=%llu\n", name, v);
}

static void numi(const char *prefix, int i, const char *name, unsigned long long v)
{
	printf("%s[%d].%s=%llu\n", prefix, i, name, v);
}

/* A 128-bit little-endian counter (SMART data units, commands): jdma's fit in 64 bits. */
static unsigned long long u128(const uint8_t *b)
{
	unsigned long long v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	for (int i = 8; i < 16; i++)
		if (b[i]) {
			fprintf(stderr, "128-bit counter above 2^64\n");
			exit(2);
		}
	return v;
}

static void id_ctrl(const char *path)
{
	struct nvme_id_ctrl *c = slurp_exact(path, sizeof(*c));
	num("vid", le16toh(c->vid));
	num("ssvid", le16toh(c->ssvid));
	str("sn", c->sn, sizeof(c->sn));
	str("mn", c->mn, sizeof(c->mn));
	str("fr", c->fr, sizeof(c->fr));
	num("rab", c->rab);
	num("ieee", c->ieee[0] | c->ieee[1] << 8 | c->ieee[2] << 16);
	num("cmic", c->cmic);
	num("mdts", c->mdts);
	num("cntlid", le16toh(c->cntlid));
	num("ver", le32toh(c->ver));
	num("oacs", le16toh(c->oacs));
	num("acl", c->acl);
	num("aerl", c->aerl);
	num("frmw", c->frmw);
	num("lpa", c->lpa);
	num("elpe", c->elpe);
	num("npss", c->npss);
	num("sqes", c->sqes);
	num("cqes", c->cqes);
	num("maxcmd", le16toh(c->maxcmd));
	num("nn", le32toh(c->nn));
	num("oncs", le16toh(c->oncs));
	num("vwc", c->vwc);
	num("sgls", le32toh(c->sgls));
	str("subnqn", c->subnqn, sizeof(c->subnqn));
}

static void id_ns(const char *path)
{
	struct nvme_id_ns *ns = slurp_exact(path, sizeof(*ns));
	num("nsze", le64toh(ns->nsze));
	num("ncap", le64toh(ns->ncap));
	num("nuse", le64toh(ns->nuse));
	num("nsfeat", ns->nsfeat);
	num("nlbaf", ns->nlbaf);
	num("flbas", ns->flbas);
	num("mc", ns->mc);
	num("dpc", ns->dpc);
	num("dlfeat", ns->dlfeat);
	for (int i = 0; i <= ns->nlbaf && i < 64; i++) {
		numi("lbaf", i, "ms", le16toh(ns->lbaf[i].ms));
		numi("lbaf", i, "ds", ns->lbaf[i].ds);
		numi("lbaf", i, "rp", ns->lbaf[i].rp & 3);
	}
}

static void sqes(const char *path)
{
	size_t size;
	struct sqe *e = slurp(path, &size);
	if (size % sizeof(*e)) {
		fprintf(stderr, "%s: %zu bytes is not a whole number of 64-byte entries\n", path, size);
		exit(2);
	}
	for (int i = 0; i < (int)(size / sizeof(*e)); i++) {
		int psdt = e[i].flags >> 6;
		numi("sqe", i, "opc", e[i].opcode);
		numi("sqe", i, "fuse", e[i].flags & 3);
		numi("sqe", i, "psdt", psdt);
		numi("sqe", i, "cid", le16toh(e[i].cid));
		numi("sqe", i, "nsid", le32toh(e[i].nsid));
		numi("sqe", i, "mptr", le64toh(e[i].mptr));
		if (psdt == 0) {
			numi("sqe", i, "prp1", le64toh(e[i].prp1));
			numi("sqe", i, "prp2", le64toh(e[i].prp2));
		} else {
			uint64_t w = le64toh(e[i].prp2);
			numi("sqe", i, "sgl.addr", le64toh(e[i].prp1));
			numi("sqe", i, "sgl.len", w & 0xffffffffu);
			numi("sqe", i, "sgl.type", (w >> 60) & 0xf);
			numi("sqe", i, "sgl.subtype", (w >> 56) & 0xf);
		}
		uint32_t cdw[6] = {e[i].cdw10, e[i].cdw11, e[i].cdw12, e[i].cdw13, e[i].cdw14, e[i].cdw15};
		for (int d = 0; d < 6; d++) {
			char name[8];
			snprintf(name, sizeof(name), "cdw%d", 10 + d);
			numi("sqe", i, name, le32toh(cdw[d]));
		}
	}
}

static void cqes(const char *path)
{
	size_t size;
	struct cqe *e = slurp(path, &size);
	if (size % sizeof(*e)) {
		fprintf(stderr, "%s: %zu bytes is not a whole number of 16-byte entries\n", path, size);
		exit(2);
	}
	for (int i = 0; i < (int)(size / sizeof(*e)); i++) {
		uint16_t word = le16toh(e[i].status);
		__u16 field = word >> 1; /* libnvme's status field: SCT << 8 | SC, CRD, M, DNR */
		numi("cqe", i, "dw0", le32toh(e[i].dw0));
		numi("cqe", i, "sqhd", le16toh(e[i].sqhd));
		numi("cqe", i, "sqid", le16toh(e[i].sqid));
		numi("cqe", i, "cid", le16toh(e[i].cid));
		numi("cqe", i, "p", word & 1);
		numi("cqe", i, "sct", nvme_status_code_type(field));
		numi("cqe", i, "sc", nvme_status_code(field));
		numi("cqe", i, "crd", (field & NVME_SC_CRD) >> 11);
		numi("cqe", i, "m", (field & NVME_SC_MORE) != 0);
		numi("cqe", i, "dnr", (field & NVME_SC_DNR) != 0);
		printf("cqe[%d].text=%s\n", i, nvme_status_to_string(field & 0x7ff, false));
	}
}

static void smart(const char *path)
{
	struct nvme_smart_log *s = slurp_exact(path, sizeof(*s));
	num("critical_warning", s->critical_warning);
	num("temperature", s->temperature[0] | s->temperature[1] << 8);
	num("avail_spare", s->avail_spare);
	num("spare_thresh", s->spare_thresh);
	num("percent_used", s->percent_used);
	num("data_units_read", u128(s->data_units_read));
	num("data_units_written", u128(s->data_units_written));
	num("host_reads", u128(s->host_reads));
	num("host_writes", u128(s->host_writes));
	num("ctrl_busy_time", u128(s->ctrl_busy_time));
	num("power_cycles", u128(s->power_cycles));
	num("power_on_hours", u128(s->power_on_hours));
	num("unsafe_shutdowns", u128(s->unsafe_shutdowns));
	num("media_errors", u128(s->media_errors));
	num("num_err_log_entries", u128(s->num_err_log_entries));
}

static void error_log(const char *path)
{
	size_t size;
	struct nvme_error_log_page *e = slurp(path, &size);
	if (size % sizeof(*e)) {
		fprintf(stderr, "%s: %zu bytes is not a whole number of 64-byte entries\n", path, size);
		exit(2);
	}
	for (int i = 0; i < (int)(size / sizeof(*e)); i++) {
		numi("err", i, "error_count", le64toh(e[i].error_count));
		numi("err", i, "sqid", le16toh(e[i].sqid));
		numi("err", i, "cmdid", le16toh(e[i].cmdid));
		numi("err", i, "status_field", le16toh(e[i].status_field));
		numi("err", i, "parm_error_location", le16toh(e[i].parm_error_location));
		numi("err", i, "lba", le64toh(e[i].lba));
		numi("err", i, "nsid", le32toh(e[i].nsid));
	}
}

static void fw_log(const char *path)
{
	struct nvme_firmware_slot *f = slurp_exact(path, sizeof(*f));
	num("afi.active", f->afi & 0x7);
	num("afi.next", (f->afi >> 4) & 0x7);
	for (int i = 0; i < 7; i++) {
		char name[8];
		snprintf(name, sizeof(name), "frs%d", i + 1);
		str(name, f->frs[i], sizeof(f->frs[i]));
	}
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s id-ctrl|id-ns|sqe|cqe|smart|error-log|fw-log FILE\n", argv[0]);
		return 2;
	}
	const char *what = argv[1];
	if (!strcmp(what, "id-ctrl"))
		id_ctrl(argv[2]);
	else if (!strcmp(what, "id-ns"))
		id_ns(argv[2]);
	else if (!strcmp(what, "sqe"))
		sqes(argv[2]);
	else if (!strcmp(what, "cqe"))
		cqes(argv[2]);
	else if (!strcmp(what, "smart"))
		smart(argv[2]);
	else if (!strcmp(what, "error-log"))
		error_log(argv[2]);
	else if (!strcmp(what, "fw-log"))
		fw_log(argv[2]);
	else {
		fprintf(stderr, "%s: unknown structure %s\n", argv[0], what);
		return 2;
	}
	return 0;
}
