/*
 * test_pyfloat.c: bittensor/pyfloat.h prints exactly what CPython's repr()
 * prints, on 1,000,000 doubles and more that /usr/bin/python3 draws and
 * prints at test time: random bit patterns over every exponent, uniform
 * [0, 1), weights and stakes at many scales, integers, powers of two and
 * ten and their neighbours.  Skipped when python3 is absent.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "bittensor/pyfloat.h"


static const char  *pylon_gen =
"import math, random, struct, sys\n"
"rng = random.Random(int(sys.argv[1]))\n"
"out = open(sys.argv[2], 'w')\n"
"def put(x):\n"
"    if math.isfinite(x):\n"
"        out.write('%016x %s\\n' % (struct.unpack('<Q', struct.pack('<d', x))[0], repr(x)))\n"
"def near(x):\n"
"    b = struct.unpack('<Q', struct.pack('<d', x))[0]\n"
"    for d in (-2, -1, 0, 1, 2):\n"
"        if 0 <= b + d < 0x7ff0000000000000:\n"
"            put(struct.unpack('<d', struct.pack('<Q', b + d))[0])\n"
"for e in range(-1074, 1024):\n"
"    near(math.ldexp(1.0, e))\n"
"for e in range(-323, 309):\n"
"    near(float('1e%d' % e)); near(float('9.999999999999999e%d' % e))\n"
"for i in range(400000):\n"
"    put(struct.unpack('<d', struct.pack('<Q', rng.getrandbits(63)))[0])\n"
"for i in range(200000):\n"
"    put(rng.random())\n"
"for i in range(200000):\n"
"    put(rng.random() * 10.0 ** rng.randint(-12, 22))\n"
"for i in range(100000):\n"
"    put(rng.randrange(65536) / 65535)\n"
"for i in range(100000):\n"
"    put(float(rng.getrandbits(rng.randint(1, 64))) / 1e9)\n"
"out.close()\n";


int
main(void)
{
    int        seed, fails, fd;
    char       path[] = "/tmp/pylon-pyfloat-XXXXXX", line[128], buf[64];
    char      *repr, *nl, cmd[256];
    FILE      *f, *py;
    double     d;
    size_t     count;
    uint64_t   bits;

    if (access("/usr/bin/python3", X_OK) != 0) {
        printf("1..0 # SKIP /usr/bin/python3 not found\n");
        return 0;
    }

    seed = (int) getpid();

    fd = mkstemp(path);
    if (!ok(fd >= 0, "temporary file")) {
        return done_testing();
    }

    close(fd);

    snprintf(cmd, sizeof(cmd), "/usr/bin/python3 - %d %s", seed, path);

    py = popen(cmd, "w");
    ok(py != NULL && fputs(pylon_gen, py) >= 0, "python3 draws the doubles");
    ok(py != NULL && pclose(py) == 0, "python3 printed their repr()");

    f = fopen(path, "r");
    if (!ok(f != NULL, "the vectors open")) {
        unlink(path);
        return done_testing();
    }

    count = 0;
    fails = 0;

    while (fgets(line, sizeof(line), f)) {
        nl = strchr(line, '\n');
        if (nl) {
            *nl = '\0';
        }

        bits = strtoull(line, &repr, 16);
        repr++;
        memcpy(&d, &bits, sizeof(d));

        pylon_pyfloat_format(buf, d);

        if (strcmp(buf, repr) != 0 && fails++ < 10) {
            diag("bits %016" PRIx64 ": python %s, pyfloat %s", bits, repr,
                 buf);
        }

        count++;
    }

    fclose(f);
    unlink(path);

    ok(count >= 1000000, "at least 1,000,000 doubles (%zu, seed %d)", count,
       seed);
    is_int(fails, 0, "every one printed as repr() prints it");

    return done_testing();
}
