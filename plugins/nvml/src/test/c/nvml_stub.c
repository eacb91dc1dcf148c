/*
 * A scriptable stand-in for libnvidia-ml.so.1, so the nvml plugin can be tested on machines without a GPU.
 * Only the calls the plugin makes are here, with NVML's signatures and return codes.
 *
 * Scripting: stub_load_script(path) resets everything and applies the file line by line; stub_apply(line) applies one
 * more line at any time (e.g. to move the energy counter). A line is whitespace-separated key=value tokens; '#' starts a
 * comment. "device=N" selects the GPU the following tokens of that line set.
 *   global:  devices=N  init_rc=C  count_rc=C
 *   per GPU: uuid=GPU-...  name=Words_With_Underscores  mem_total=B  mem_used=B  energy_mj=MJ
 *            p0=W slope=W/s amp=W freq=Hz      power(t) = p0 + slope*t + amp*sin(2*pi*freq*t), t = s since the load
 *            util_gpu=P  util_mem=P  mig=0|1
 *            handle_rc= uuid_rc= energy_rc= power_rc= memory_rc= util_rc= mig_rc=   (inject a return code)
 * Both return 0, or -1 naming the bad token on stderr.
 *
 * Built with -DSTUB_OLD_DRIVER it lacks nvmlDeviceGetTotalEnergyConsumption and nvmlDeviceGetMigMode, like a driver
 * older than those calls.
 *
 * Inspection: stub_origin_ns() is the CLOCK_MONOTONIC time of the load (t = 0 of the power curve; the JVM's
 * System.nanoTime() reads the same clock on Linux); stub_calls(name) counts calls of an NVML function;
 * stub_init_depth() is successful nvmlInit_v2 calls minus nvmlShutdown calls.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NVML_SUCCESS 0
#define NVML_ERROR_UNINITIALIZED 1
#define NVML_ERROR_INVALID_ARGUMENT 2
#define NVML_ERROR_NOT_SUPPORTED 3
#define NVML_ERROR_NO_PERMISSION 4
#define NVML_ERROR_INSUFFICIENT_SIZE 7

#define STUB_MAX_DEVICES 8
#define STUB_PI 3.14159265358979323846

typedef struct {
    char uuid[96];
    char name[96];
    unsigned long long mem_total, mem_used, energy_mj;
    double p0, slope, amp, freq;
    unsigned int util_gpu, util_mem, mig;
    int handle_rc, uuid_rc, energy_rc, power_rc, memory_rc, util_rc, mig_rc;
} stub_device;

typedef struct {
    unsigned long long total, free, used;
} stub_memory; /* layout of nvmlMemory_t */

typedef struct {
    unsigned int gpu, memory;
} stub_utilization; /* layout of nvmlUtilization_t */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static stub_device devices[STUB_MAX_DEVICES];
static int device_count, init_rc, count_rc, init_depth;
static long long origin_ns;
static long calls_power, calls_energy, calls_memory, calls_init, calls_shutdown;

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void reset(void) {
    memset(devices, 0, sizeof devices);
    for (int i = 0; i < STUB_MAX_DEVICES; i++) {
        snprintf(devices[i].uuid, sizeof devices[i].uuid, "GPU-00000000-0000-0000-0000-00000000000%d", i);
        snprintf(devices[i].name, sizeof devices[i].name, "Stub GPU %d", i);
        devices[i].mem_total = 80ULL << 30;
        devices[i].p0 = 100.0;
    }
    device_count = 1;
    init_rc = count_rc = init_depth = 0;
    calls_power = calls_energy = calls_memory = calls_init = calls_shutdown = 0;
    origin_ns = now_ns();
}

/* Applies one token; returns 0, or -1 if unknown. */
static int apply_token(const char *key, const char *value, int *current) {
    stub_device *d = &devices[*current];
    if (strcmp(key, "device") == 0) {
        int n = atoi(value);
        if (n < 0 || n >= STUB_MAX_DEVICES) return -1;
        *current = n;
    } else if (strcmp(key, "devices") == 0) {
        device_count = atoi(value);
        if (device_count < 0 || device_count > STUB_MAX_DEVICES) return -1;
    } else if (strcmp(key, "init_rc") == 0) init_rc = atoi(value);
    else if (strcmp(key, "count_rc") == 0) count_rc = atoi(value);
    else if (strcmp(key, "uuid") == 0) snprintf(d->uuid, sizeof d->uuid, "%s", value);
    else if (strcmp(key, "name") == 0) {
        snprintf(d->name, sizeof d->name, "%s", value);
        for (char *c = d->name; *c; c++) if (*c == '_') *c = ' ';
    }
    else if (strcmp(key, "mem_total") == 0) d->mem_total = strtoull(value, NULL, 10);
    else if (strcmp(key, "mem_used") == 0) d->mem_used = strtoull(value, NULL, 10);
    else if (strcmp(key, "energy_mj") == 0) d->energy_mj = strtoull(value, NULL, 10);
    else if (strcmp(key, "p0") == 0) d->p0 = atof(value);
    else if (strcmp(key, "slope") == 0) d->slope = atof(value);
    else if (strcmp(key, "amp") == 0) d->amp = atof(value);
    else if (strcmp(key, "freq") == 0) d->freq = atof(value);
    else if (strcmp(key, "util_gpu") == 0) d->util_gpu = (unsigned) atoi(value);
    else if (strcmp(key, "util_mem") == 0) d->util_mem = (unsigned) atoi(value);
    else if (strcmp(key, "mig") == 0) d->mig = (unsigned) atoi(value);
    else if (strcmp(key, "handle_rc") == 0) d->handle_rc = atoi(value);
    else if (strcmp(key, "uuid_rc") == 0) d->uuid_rc = atoi(value);
    else if (strcmp(key, "energy_rc") == 0) d->energy_rc = atoi(value);
    else if (strcmp(key, "power_rc") == 0) d->power_rc = atoi(value);
    else if (strcmp(key, "memory_rc") == 0) d->memory_rc = atoi(value);
    else if (strcmp(key, "util_rc") == 0) d->util_rc = atoi(value);
    else if (strcmp(key, "mig_rc") == 0) d->mig_rc = atoi(value);
    else return -1;
    return 0;
}

static int apply_line(const char *line) {
    char buffer[1024];
    snprintf(buffer, sizeof buffer, "%s", line);
    char *comment = strchr(buffer, '#');
    if (comment) *comment = '\0';
    int current = 0;
    char *save = NULL;
    for (char *token = strtok_r(buffer, " \t\r\n", &save); token; token = strtok_r(NULL, " \t\r\n", &save)) {
        char *eq = strchr(token, '=');
        if (!eq) {
            fprintf(stderr, "nvml stub: expected key=value, got '%s'\n", token);
            return -1;
        }
        *eq = '\0';
        if (apply_token(token, eq + 1, &current) != 0) {
            fprintf(stderr, "nvml stub: bad token '%s=%s'\n", token, eq + 1);
            return -1;
        }
    }
    return 0;
}

int stub_apply(const char *line) {
    pthread_mutex_lock(&lock);
    int rc = apply_line(line);
    pthread_mutex_unlock(&lock);
    return rc;
}

int stub_load_script(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    pthread_mutex_lock(&lock);
    reset();
    char line[1024];
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) rc = apply_line(line);
    pthread_mutex_unlock(&lock);
    fclose(f);
    return rc;
}

long long stub_origin_ns(void) {
    return origin_ns;
}

long stub_calls(const char *function) {
    pthread_mutex_lock(&lock);
    long n = -1;
    if (strcmp(function, "nvmlDeviceGetPowerUsage") == 0) n = calls_power;
    else if (strcmp(function, "nvmlDeviceGetTotalEnergyConsumption") == 0) n = calls_energy;
    else if (strcmp(function, "nvmlDeviceGetMemoryInfo") == 0) n = calls_memory;
    else if (strcmp(function, "nvmlInit_v2") == 0) n = calls_init;
    else if (strcmp(function, "nvmlShutdown") == 0) n = calls_shutdown;
    pthread_mutex_unlock(&lock);
    return n;
}

int stub_init_depth(void) {
    return init_depth;
}

/* ---- NVML ---- */

/* Locks and checks init and the handle; on success returns NVML_SUCCESS with the lock held. */
static int enter(void *handle, stub_device **device) {
    pthread_mutex_lock(&lock);
    int rc = NVML_SUCCESS;
    if (init_depth == 0) rc = NVML_ERROR_UNINITIALIZED;
    else if (device) {
        stub_device *d = (stub_device *) handle;
        if (d < devices || d >= devices + device_count) rc = NVML_ERROR_INVALID_ARGUMENT;
        else *device = d;
    }
    if (rc != NVML_SUCCESS) pthread_mutex_unlock(&lock);
    return rc;
}

static int leave(int rc) {
    pthread_mutex_unlock(&lock);
    return rc;
}

int nvmlInit_v2(void) {
    pthread_mutex_lock(&lock);
    calls_init++;
    int rc = init_rc;
    if (rc == NVML_SUCCESS) init_depth++;
    return leave(rc);
}

int nvmlShutdown(void) {
    pthread_mutex_lock(&lock);
    calls_shutdown++;
    if (init_depth == 0) return leave(NVML_ERROR_UNINITIALIZED);
    init_depth--;
    return leave(NVML_SUCCESS);
}

const char *nvmlErrorString(int result) {
    switch (result) {
        case 0: return "Success";
        case 1: return "Uninitialized";
        case 2: return "Invalid Argument";
        case 3: return "Not Supported";
        case 4: return "Insufficient Permissions";
        case 15: return "GPU is lost";
        default: return "Unknown Error";
    }
}

int nvmlDeviceGetCount_v2(unsigned int *count) {
    int rc = enter(NULL, NULL);
    if (rc) return rc;
    if (count_rc) return leave(count_rc);
    *count = (unsigned) device_count;
    return leave(NVML_SUCCESS);
}

int nvmlDeviceGetHandleByIndex_v2(unsigned int index, void **handle) {
    int rc = enter(NULL, NULL);
    if (rc) return rc;
    if (index >= (unsigned) device_count) return leave(NVML_ERROR_INVALID_ARGUMENT);
    if (devices[index].handle_rc) return leave(devices[index].handle_rc);
    *handle = &devices[index];
    return leave(NVML_SUCCESS);
}

int nvmlDeviceGetUUID(void *handle, char *uuid, unsigned int length) {
    stub_device *d;
    int rc = enter(handle, &d);
    if (rc) return rc;
    if (d->uuid_rc) return leave(d->uuid_rc);
    if (strlen(d->uuid) + 1 > length) return leave(NVML_ERROR_INSUFFICIENT_SIZE);
    strcpy(uuid, d->uuid);
    return leave(NVML_SUCCESS);
}

int nvmlDeviceGetName(void *handle, char *name, unsigned int length) {
    stub_device *d;
    int rc = enter(handle, &d);
    if (rc) return rc;
    if (strlen(d->name) + 1 > length) return leave(NVML_ERROR_INSUFFICIENT_SIZE);
    strcpy(name, d->name);
    return leave(NVML_SUCCESS);
}

#ifndef STUB_OLD_DRIVER
int nvmlDeviceGetMigMode(void *handle, unsigned int *current, unsigned int *pending) {
    stub_device *d;
    int rc = enter(handle, &d);
    if (rc) return rc;
    if (d->mig_rc) return leave(d->mig_rc);
    *current = d->mig;
    *pending = d->mig;
    return leave(NVML_SUCCESS);
}
#endif

int nvmlDeviceGetMemoryInfo(void *handle, stub_memory *memory) {
    stub_device *d;
    int rc = enter(handle, &d);
    if (rc) return rc;
    calls_memory++;
    if (d->memory_rc) return leave(d->memory_rc);
    memory->total = d->mem_total;
    memory->used = d->mem_used;
    memory->free = d->mem_total - d->mem_used;
    return leave(NVML_SUCCESS);
}

#ifndef STUB_OLD_DRIVER
int nvmlDeviceGetTotalEnergyConsumption(void *handle, unsigned long long *energy) {
    stub_device *d;
    int rc = enter(handle, &d);
    if (rc) return rc;
    calls_energy++;
    if (d->energy_rc) return leave(d->energy_rc);
    *energy = d->energy_mj;
    return leave(NVML_SUCCESS);
}
#endif

int nvmlDeviceGetPowerUsage(void *handle, unsigned int *power) {
    stub_device *d;
    int rc = enter(handle, &d);
    if (rc) return rc;
    calls_power++;
    if (d->power_rc) return leave(d->power_rc);
    double t = (now_ns() - origin_ns) * 1e-9;
    double watts = d->p0 + d->slope * t + d->amp * sin(2 * STUB_PI * d->freq * t);
    *power = watts <= 0 ? 0u : (unsigned) llround(watts * 1000.0);
    return leave(NVML_SUCCESS);
}

int nvmlDeviceGetUtilizationRates(void *handle, stub_utilization *utilization) {
    stub_device *d;
    int rc = enter(handle, &d);
    if (rc) return rc;
    if (d->util_rc) return leave(d->util_rc);
    utilization->gpu = d->util_gpu;
    utilization->memory = d->util_mem;
    return leave(NVML_SUCCESS);
}
