/*
 * libmms-fetch: netshow's interop reader built on libmms (Debian libmms0 / libmms-dev 0.6.4).
 * Connects with one of libmms's three entry points, copies the ASF stream it returns (the header,
 * then every data packet padded to the packet size) into a file, and says on stderr what it saw.
 *
 *   libmms-fetch MODE URL OUT [BANDWIDTH_BPS [MAX_SECONDS [START_SECONDS]]]
 *     MODE t: mms_connect  (MMS over TCP; libmms spells the URL mms://)
 *          h: mmsh_connect (MMSH, mmsh:// or http://)
 *          x: mmsx_connect (the rollover libmms's users call: MMSH first, then MMS/TCP)
 *     BANDWIDTH_BPS  what libmms may use when it chooses among MBR streams (default 100000000)
 *     MAX_SECONDS    stop reading after this long (0 = read to the end)
 *     START_SECONDS  seek there (libmms *_time_seek) before reading packets (0 = from the start);
 *                    the header is then written from *_peek_header, as reads return packets only
 *
 * Exit status: 0 = the stream ended by itself (or MAX_SECONDS passed) after more than the header,
 *              1 = connect, seek or read failure, 2 = usage.
 * Built by test/interop/peers/libmms.ts with `gcc -O2 -Wall libmms-fetch.c -lmms`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <libmms/mms.h>
#include <libmms/mmsh.h>
#include <libmms/mmsx.h>

/* The three libmms handle types behind one small interface. */
struct source {
  char mode;
  mms_t *tcp;
  mmsh_t *http;
  mmsx_t *any;
};

static double seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int source_open(struct source *s, const char *url, int bandwidth) {
  switch (s->mode) {
  case 't': s->tcp = mms_connect(NULL, NULL, url, bandwidth); return s->tcp != NULL;
  case 'h': s->http = mmsh_connect(NULL, NULL, url, bandwidth); return s->http != NULL;
  default: s->any = mmsx_connect(NULL, NULL, url, bandwidth); return s->any != NULL;
  }
}

static int source_read(struct source *s, char *buf, int len) {
  if (s->tcp) return mms_read(NULL, s->tcp, buf, len);
  if (s->http) return mmsh_read(NULL, s->http, buf, len);
  return mmsx_read(NULL, s->any, buf, len);
}

static int source_seek(struct source *s, double at) {
  if (s->tcp) return mms_time_seek(NULL, s->tcp, at);
  if (s->http) return mmsh_time_seek(NULL, s->http, at);
  return mmsx_time_seek(NULL, s->any, at);
}

/* After a time seek libmms returns packets only: the header must be asked for. */
static int source_header(struct source *s, char *buf, int len) {
  if (s->tcp) return mms_peek_header(s->tcp, buf, len);
  if (s->http) return mmsh_peek_header(s->http, buf, len);
  return mmsx_peek_header(s->any, buf, len);
}

static void source_describe(struct source *s, double elapsed) {
  uint32_t header = s->tcp ? mms_get_asf_header_len(s->tcp)
                  : s->http ? mmsh_get_asf_header_len(s->http) : mmsx_get_asf_header_len(s->any);
  uint64_t packet = s->tcp ? mms_get_asf_packet_len(s->tcp)
                  : s->http ? mmsh_get_asf_packet_len(s->http) : mmsx_get_asf_packet_len(s->any);
  double length = s->tcp ? mms_get_time_length(s->tcp)
                : s->http ? mmsh_get_time_length(s->http) : mmsx_get_time_length(s->any);
  int seekable = s->tcp ? mms_get_seekable(s->tcp)
               : s->http ? mmsh_get_seekable(s->http) : mmsx_get_seekable(s->any);
  fprintf(stderr, "libmms-fetch: connected (%c) in %.3f s: header %u bytes, packet %llu bytes, "
          "length %.3f s, seekable %d\n", s->mode, elapsed, header, (unsigned long long)packet, length,
          seekable);
}

static void source_close(struct source *s) {
  if (s->tcp) mms_close(s->tcp);
  if (s->http) mmsh_close(s->http);
  if (s->any) mmsx_close(s->any);
}

int main(int argc, char **argv) {
  static char buf[1 << 16];
  struct source src = {0};
  if (argc < 4 || (argv[1][0] != 't' && argv[1][0] != 'h' && argv[1][0] != 'x')) {
    fprintf(stderr, "usage: %s t|h|x URL OUT [BANDWIDTH_BPS [MAX_SECONDS [START_SECONDS]]]\n", argv[0]);
    return 2;
  }
  src.mode = argv[1][0];
  int bandwidth = argc > 4 ? atoi(argv[4]) : 100000000;
  double limit = argc > 5 ? atof(argv[5]) : 0;
  double start = argc > 6 ? atof(argv[6]) : 0;

  FILE *out = fopen(argv[3], "wb");
  if (out == NULL) { perror(argv[3]); return 2; }
  double t0 = seconds();
  if (!source_open(&src, argv[2], bandwidth)) {
    fprintf(stderr, "libmms-fetch: connect failed (%c) %s\n", src.mode, argv[2]);
    fclose(out);
    return 1;
  }
  source_describe(&src, seconds() - t0);
  if (start > 0 && !source_seek(&src, start)) {
    fprintf(stderr, "libmms-fetch: seek to %.3f s failed\n", start);
    source_close(&src);
    fclose(out);
    return 1;
  }

  unsigned long long total = 0;
  int n = 0, timed_out = 0;
  if (start > 0) {
    int h = source_header(&src, buf, (int)sizeof buf);
    if (h <= 0 || fwrite(buf, 1, (size_t)h, out) != (size_t)h) {
      fprintf(stderr, "libmms-fetch: no header after the seek\n");
      source_close(&src);
      fclose(out);
      return 1;
    }
  }
  while ((n = source_read(&src, buf, (int)sizeof buf)) > 0) {
    if (fwrite(buf, 1, (size_t)n, out) != (size_t)n) { perror("write"); n = -1; break; }
    total += (unsigned long long)n;
    if (limit > 0 && seconds() - t0 >= limit) { timed_out = 1; break; }
  }
  fprintf(stderr, "libmms-fetch: %s after %.3f s: %llu bytes (last read %d)\n",
          timed_out ? "stopped at MAX_SECONDS" : "end of stream", seconds() - t0, total, n);
  source_close(&src);
  if (fclose(out) != 0) { perror(argv[3]); return 1; }
  return (n == 0 || timed_out) && total > 0 ? 0 : 1;
}
