/* The JNI bridge for io.containerfs.linux.Native: the only file that
 * includes jni.h.  It fills an args_t from Java's records, calls the core,
 * and turns a failure into a ContainerException that keeps the step (as a
 * number), the path, errno, the core's message and its exit status.
 *
 * Paths and words cross as byte[], encoded by Java in the file system's
 * charset (Native.encode), never as jstring: GetStringUTFChars gives modified
 * UTF-8, which spells U+0000 and every character outside the BMP differently
 * from the UTF-8 the kernel's file names are in (JNI spec, "Modified UTF-8
 * Strings"), so the overlay would name directories that do not exist.  The
 * one exception is asciiBytes and asciiStrings, which turn plain ASCII (no
 * NUL), where every one of those encodings agrees, and leave the rest to
 * Java. */
#include <errno.h>
#include <signal.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container.h"
#include "digest.h"
#include "hooks.h"
#include "io_containerfs_linux_Native.h"
#include "nodes.h"
#include "oci_state.h"
#include "userns.h"
#include "write_all.h"
#include "zstd.h"

#define CONTAINER_EXCEPTION "io/containerfs/linux/ContainerException"
#define CONTAINER_FACTORY "(I[BI[BI)Lio/containerfs/linux/ContainerException;"
#define NODE_EXCEPTION "io/containerfs/linux/NodeException"
#define NODE_FACTORY "(I[BI[B)Lio/containerfs/linux/NodeException;"

static jbyteArray
new_bytes(JNIEnv *env, const char *s)
{
    jsize n = (jsize)strlen(s);
    jbyteArray bytes = (*env)->NewByteArray(env, n);

    if (bytes != NULL)
        (*env)->SetByteArrayRegion(env, bytes, 0, n, (const jbyte *)s);
    return bytes;
}

/* Throws CLASS.fromNative(step, path, errno, message[, exit status]): the
 * path and the message hold file names, so they cross as bytes.  A pending
 * error (no such class or method, out of memory) is left to propagate. */
static void
throw_native_error(JNIEnv *env, const char *class_name, const char *signature, int step,
                   const char *path, int errnum, const char *message, int exit_status)
{
    jclass cls = (*env)->FindClass(env, class_name);
    jmethodID factory;
    jbyteArray jpath, jmessage;
    jobject ex;

    if (cls == NULL)
        return;
    factory = (*env)->GetStaticMethodID(env, cls, "fromNative", signature);
    if (factory == NULL || (jpath = new_bytes(env, path)) == NULL
        || (jmessage = new_bytes(env, message)) == NULL)
        return;
    ex = (*env)->CallStaticObjectMethod(env, cls, factory, (jint)step, jpath, (jint)errnum,
                                        jmessage, (jint)exit_status);
    if (ex != NULL && !(*env)->ExceptionCheck(env))
        (*env)->Throw(env, ex);
}

static void
throw_container_error(JNIEnv *env, const cfs_error_t *err)
{
    char message[CFS_MESSAGE_MAX];

    cfs_format_error(err, message, sizeof message);
    throw_native_error(env, CONTAINER_EXCEPTION, CONTAINER_FACTORY, err->step, err->path, err->err,
                       message, cfs_exit_status(err));
}

static void
throw_out_of_memory(JNIEnv *env)
{
    cfs_error_t err;

    cfs_set_error(&err, CFS_STEP_PREPARE, "", ENOMEM);
    throw_container_error(env, &err);
}

/* Room for one more item in an array grown by doubling: *items and *room
 * updated when count has reached *room.  0, or -1 with the error pending. */
static int
make_room(JNIEnv *env, void **items, int *room, int count, size_t size)
{
    int grown_room;
    void *grown;

    if (count < *room)
        return 0;
    grown_room = *room == 0 ? 4 : 2 * *room;
    grown = realloc(*items, (size_t)grown_room * size);
    if (grown == NULL) {
        throw_out_of_memory(env);
        return -1;
    }
    *items = grown;
    *room = grown_room;
    return 0;
}

static void
free_strings(char **strings, int n)
{
    if (strings == NULL)
        return;
    for (int i = 0; i < n; i++)
        free(strings[i]);
    free(strings);
}

/* A malloc'd, NUL-terminated copy of a byte[] (Java has refused NULs in it),
 * or NULL for a null array.  Sets *failed, with an exception pending, when
 * it cannot. */
static char *
copy_bytes(JNIEnv *env, jbyteArray bytes, int *failed)
{
    jsize n;
    char *out;

    if (bytes == NULL)
        return NULL;
    n = (*env)->GetArrayLength(env, bytes);
    out = malloc((size_t)n + 1);
    if (out == NULL) {
        throw_out_of_memory(env);
        *failed = 1;
        return NULL;
    }
    (*env)->GetByteArrayRegion(env, bytes, 0, n, (jbyte *)out);
    out[n] = '\0';
    return out;
}

/* A calloc'd, NULL-terminated copy of a byte[][]: the argv execvp wants.
 * Returns NULL with an exception pending. */
static char **
copy_byte_arrays(JNIEnv *env, jobjectArray array, int *count)
{
    int n = (*env)->GetArrayLength(env, array);
    char **out = calloc((size_t)n + 1, sizeof *out);
    int failed = 0;

    if (out == NULL) {
        throw_out_of_memory(env);
        return NULL;
    }
    for (int i = 0; i < n && !failed; i++) {
        jbyteArray bytes = (*env)->GetObjectArrayElement(env, array, i);
        out[i] = copy_bytes(env, bytes, &failed);
        (*env)->DeleteLocalRef(env, bytes);
    }
    if (failed) {
        free_strings(out, n);
        return NULL;
    }
    *count = n;
    return out;
}

/* Two arrays taken in step, names and values (sysctls, namespace types and
 * paths): the number of pairs, or -1 with an exception pending.  What was
 * copied stays in *first and *second, freed with the rest of run_args. */
static int
copy_pairs(JNIEnv *env, jobjectArray jfirst, jobjectArray jsecond, char ***first, int *nfirst,
           char ***second, int *nsecond)
{
    if ((*first = copy_byte_arrays(env, jfirst, nfirst)) == NULL
        || (*second = copy_byte_arrays(env, jsecond, nsecond)) == NULL)
        return -1;
    return *nfirst < *nsecond ? *nfirst : *nsecond;
}

/* ---- Native.run: an args_t filled record by record ----
 *
 * Java's records (Container, Isolation, Limits, Execution, Mount, Device) cross one
 * setter each, and their numbers and flags are read here by field name: a
 * new option is a field of its record and a line of its setter, and two
 * booleans cannot swap places unseen.  Text crosses as bytes Java encoded.
 * Each setter copies what it is given into the handle argsNew made;
 * argsFree frees it all, once, whatever happened in between. */

struct run_args {
    args_t args;
    char **lowers; /* args.lowers, owned */
    int nlowers;
    char *upper, *work, *tmpdir, *rootfs, *exec_fifo, *pid_file, *oci_id, *cgroups_path, *uid_map,
        *gid_map, *console_socket, *hostname, *home, *cwd;
    /* owned */
    char **masked, **readonly, **sysctl_keys, **sysctl_values, **join_types, **join_paths;
    int nmasked, nreadonly, nsysctl_keys, nsysctl_values, njoin_types, njoin_paths;
    char **env;                 /* args.env, owned */
    struct cfs_rlimit *rlimits; /* args.rlimits, each one's type owned */
    int rlimits_room;
    unsigned int *groups;
    struct cfs_port *ports;   /* args.ports */
    struct cfs_mount *mounts; /* args.mounts, each one's strings owned */
    int mounts_room;
    struct cfs_device *devices; /* args.devices, each one's strings owned */
    int devices_room;
    struct cfs_device_rule *device_rules; /* args.device_rules */
    int device_rules_room;
    struct cfs_hook *hooks; /* args.hooks, each one's strings owned */
    int hooks_room;
    char *hook_state;
    struct cfs_seccomp_profile seccomp;     /* args.seccomp_profile, when one was given */
    struct cfs_seccomp_rule *seccomp_rules; /* seccomp.rules, each one's names owned */
    int seccomp_room;
};

static struct run_args *
run_args_of(jlong handle)
{
    return (struct run_args *)(intptr_t)handle;
}

/* A field of a record, by the name of its component.  With none of that
 * name and type, NoSuchFieldError is pending and the value read is 0. */
static jfieldID
record_field(JNIEnv *env, jobject record, const char *name, const char *type)
{
    jclass cls = (*env)->GetObjectClass(env, record);
    jfieldID id = (*env)->GetFieldID(env, cls, name, type);

    (*env)->DeleteLocalRef(env, cls);
    return id;
}

static int
boolean_field(JNIEnv *env, jobject record, const char *name)
{
    jfieldID id = record_field(env, record, name, "Z");

    return id != NULL && (*env)->GetBooleanField(env, record, id) == JNI_TRUE;
}

static long long
long_field(JNIEnv *env, jobject record, const char *name)
{
    jfieldID id = record_field(env, record, name, "J");

    return id != NULL ? (long long)(*env)->GetLongField(env, record, id) : 0;
}

static int int_field(JNIEnv *env, jobject record, const char *name);

/* copy_bytes for an argument Java may leave null: 0, or -1 with an
 * exception pending. */
static int
copy_optional(JNIEnv *env, jbyteArray bytes, char **out)
{
    int failed = 0;

    *out = copy_bytes(env, bytes, &failed);
    return failed ? -1 : 0;
}

JNIEXPORT jlong JNICALL
Java_io_containerfs_linux_Native_argsNew(JNIEnv *env, jclass cls)
{
    struct run_args *r = calloc(1, sizeof *r);

    (void)cls;
    if (r == NULL)
        throw_out_of_memory(env);
    return (jlong)(intptr_t)r;
}

JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_argsFree(JNIEnv *env, jclass cls, jlong handle)
{
    struct run_args *r = run_args_of(handle);

    (void)env;
    (void)cls;
    if (r == NULL)
        return;
    free_strings(r->lowers, r->nlowers);
    free_strings(r->args.argv, r->args.argc);
    free_strings(r->env, r->args.nenv);
    free(r->upper);
    free(r->work);
    free(r->tmpdir);
    free(r->rootfs);
    free(r->exec_fifo);
    free(r->pid_file);
    free(r->oci_id);
    free(r->cgroups_path);
    free(r->uid_map);
    free(r->gid_map);
    free(r->console_socket);
    free_strings(r->masked, r->nmasked);
    free_strings(r->readonly, r->nreadonly);
    free_strings(r->sysctl_keys, r->nsysctl_keys);
    free_strings(r->sysctl_values, r->nsysctl_values);
    free_strings(r->join_types, r->njoin_types);
    free_strings(r->join_paths, r->njoin_paths);
    for (int i = 0; i < r->args.nrlimits; i++)
        free((char *)r->rlimits[i].type);
    free(r->rlimits);
    free(r->hostname);
    free(r->home);
    free(r->cwd);
    free(r->groups);
    for (int i = 0; i < r->args.nmounts; i++) {
        free((char *)r->mounts[i].source);
        free((char *)r->mounts[i].target);
        free((char *)r->mounts[i].tmpfs_options);
    }
    free(r->mounts);
    free(r->ports);
    for (int i = 0; i < r->args.ndevices; i++) {
        free((char *)r->devices[i].host);
        free((char *)r->devices[i].target);
    }
    free(r->devices);
    free(r->device_rules);
    for (int i = 0; i < r->args.nhooks; i++) {
        int n = 0;
        free((char *)r->hooks[i].path);
        while (r->hooks[i].argv[n] != NULL)
            n++;
        free_strings((char **)r->hooks[i].argv, n);
        for (n = 0; r->hooks[i].envp[n] != NULL; n++) {
        }
        free_strings((char **)r->hooks[i].envp, n);
    }
    free(r->hooks);
    free(r->hook_state);
    for (int i = 0; i < r->seccomp.nrules; i++)
        free_strings((char **)r->seccomp_rules[i].names, r->seccomp_rules[i].nnames);
    free(r->seccomp_rules);
    free(r);
}

/* Container's layers, as the user gave them: the core resolves and checks
 * them (layers.c).  A null upper is --read-only. */
JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_setLayers(JNIEnv *env, jclass cls, jlong handle,
                                           jobjectArray jlowers, jbyteArray jupper,
                                           jbyteArray jwork, jbyteArray jtmpdir)
{
    struct run_args *r = run_args_of(handle);

    (void)cls;
    if ((r->lowers = copy_byte_arrays(env, jlowers, &r->nlowers)) == NULL
        || copy_optional(env, jupper, &r->upper) < 0 || copy_optional(env, jwork, &r->work) < 0
        || copy_optional(env, jtmpdir, &r->tmpdir) < 0)
        return;
    r->args.lowers = (const char *const *)r->lowers;
    r->args.nlowers = r->nlowers;
    r->args.upper = r->upper;
    r->args.read_only = r->upper == NULL;
    r->args.workdir = r->work;
    r->args.tmpdir = r->tmpdir;
}

/* An OCI bundle's container: its root filesystem as it is, in place of the
 * layers (no overlay; Bundle's readOnly), the exec FIFO for create (or
 * null), the pid file, the id and cgroupsPath (or null) its cgroup is named
 * after, and Bundle's umask (-1: none). */
JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_setBundle(JNIEnv *env, jclass cls, jlong handle, jobject bundle,
                                           jbyteArray jrootfs, jbyteArray jfifo,
                                           jbyteArray jpid_file, jbyteArray jid,
                                           jbyteArray jcgroups_path)
{
    struct run_args *r = run_args_of(handle);
    int umask_value;

    (void)cls;
    if (copy_optional(env, jrootfs, &r->rootfs) < 0 || copy_optional(env, jfifo, &r->exec_fifo) < 0
        || copy_optional(env, jpid_file, &r->pid_file) < 0
        || copy_optional(env, jid, &r->oci_id) < 0
        || copy_optional(env, jcgroups_path, &r->cgroups_path) < 0)
        return;
    r->args.rootfs = r->rootfs;
    r->args.read_only = boolean_field(env, bundle, "readOnly");
    r->args.exec_fifo = r->exec_fifo;
    r->args.pid_file = r->pid_file;
    r->args.oci_id = r->oci_id;
    r->args.cgroups_path = r->cgroups_path;
    r->args.cgroup_namespace = boolean_field(env, bundle, "cgroupNamespace");
    umask_value = int_field(env, bundle, "umask");
    r->args.set_umask = umask_value >= 0;
    r->args.umask = r->args.set_umask ? (unsigned int)umask_value : 0;
    r->args.set_oom_score_adj = boolean_field(env, bundle, "oomScoreAdjGiven");
    r->args.oom_score_adj = int_field(env, bundle, "oomScoreAdj");
}

/* The state's members every hook is given besides ociVersion, status and pid. */
JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_setHookState(JNIEnv *env, jclass cls, jlong handle,
                                              jbyteArray jstate)
{
    struct run_args *r = run_args_of(handle);

    (void)cls;
    free(r->hook_state);
    if (copy_optional(env, jstate, &r->hook_state) < 0)
        return;
    r->args.hook_state = r->hook_state;
}

/* One of config.json's hooks, after those added before it. */
JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_addHook(JNIEnv *env, jclass cls, jlong handle, jobject hook,
                                         jint phase, jbyteArray jpath, jobjectArray jargv,
                                         jobjectArray jenv)
{
    struct run_args *r = run_args_of(handle);
    struct cfs_hook h = { .phase = phase };
    void *items = r->hooks;
    char *path = NULL;
    char **argv = NULL, **envp = NULL;
    int nargv = 0, nenv = 0;

    (void)cls;
    if (make_room(env, &items, &r->hooks_room, r->args.nhooks, sizeof *r->hooks) < 0)
        return;
    r->args.hooks = r->hooks = items;
    if (copy_optional(env, jpath, &path) < 0
        || (argv = copy_byte_arrays(env, jargv, &nargv)) == NULL
        || (envp = copy_byte_arrays(env, jenv, &nenv)) == NULL) {
        free(path);
        free_strings(argv, nargv);
        return;
    }
    h.path = path;
    h.argv = argv;
    h.envp = envp;
    h.timeout = int_field(env, hook, "timeout");
    r->hooks[r->args.nhooks++] = h;
}

/* poststart, poststop: the front end's, after create has returned. */
JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_runHooks(JNIEnv *env, jclass cls, jlong handle, jint phase,
                                          jbyteArray jstatus, jint pid)
{
    cfs_error_t err;
    int failed = 0;
    char *status = copy_bytes(env, jstatus, &failed);

    (void)cls;
    if (failed)
        return;
    memset(&err, 0, sizeof err);
    if (cfs_run_hooks(&run_args_of(handle)->args, phase, status, pid, &err) < 0)
        throw_container_error(env, &err);
    free(status);
}

/* process.capabilities: the five sets, exactly (security.c). */
JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_setCapabilities(JNIEnv *env, jclass cls, jlong handle,
                                                 jobject capabilities)
{
    args_t *args = &run_args_of(handle)->args;

    (void)cls;
    args->exact_capabilities = 1;
    args->capabilities = (struct cfs_capabilities){
        .bounding = (unsigned long long)long_field(env, capabilities, "bounding"),
        .effective = (unsigned long long)long_field(env, capabilities, "effective"),
        .permitted = (unsigned long long)long_field(env, capabilities, "permitted"),
        .inheritable = (unsigned long long)long_field(env, capabilities, "inheritable"),
        .ambient = (unsigned long long)long_field(env, capabilities, "ambient"),
    };
}

/* An OCI bundle's terminal (Execution's tty): the engine's console socket
 * its master is sent to (null: relayed to ours), and Bundle's console size
 * (0: none given). */
JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_setConsole(JNIEnv *env, jclass cls, jlong handle, jobject bundle,
                                            jbyteArray jconsole_socket)
{
    struct run_args *r = run_args_of(handle);

    (void)cls;
    if (copy_optional(env, jconsole_socket, &r->console_socket) < 0)
        return;
    r->args.console_socket = r->console_socket;
    r->args.console_rows = (unsigned int)int_field(env, bundle, "consoleHeight");
    r->args.console_cols = (unsigned int)int_field(env, bundle, "consoleWidth");
}

/* A user namespace of the bundle's own: its uid_map and gid_map (or null:
 * none made). */
JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_setUserMaps(JNIEnv *env, jclass cls, jlong handle,
                                             jbyteArray juid_map, jbyteArray jgid_map)
{
    struct run_args *r = run_args_of(handle);

    (void)cls;
    if (copy_optional(env, juid_map, &r->uid_map) < 0
        || copy_optional(env, jgid_map, &r->gid_map) < 0)
        return;
    r->args.uid_map = r->uid_map;
    r->args.gid_map = r->gid_map;
}

/* linux.maskedPaths and readonlyPaths beyond the core's own lists. */
JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_setProtectedPaths(JNIEnv *env, jclass cls, jlong handle,
                                                   jobjectArray jmasked, jobjectArray jreadonly)
{
    struct run_args *r = run_args_of(handle);

    (void)cls;
    if ((r->masked = copy_byte_arrays(env, jmasked, &r->nmasked)) == NULL
        || (r->readonly = copy_byte_arrays(env, jreadonly, &r->nreadonly)) == NULL)
        return;
    r->args.masked_paths = (const char *const *)r->masked;
    r->args.nmasked_paths = r->nmasked;
    r->args.readonly_paths = (const char *const *)r->readonly;
    r->args.nreadonly_paths = r->nreadonly;
}

/* linux.sysctl: keys and values, in the same order. */
JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_setSysctls(JNIEnv *env, jclass cls, jlong handle,
                                            jobjectArray jkeys, jobjectArray jvalues)
{
    struct run_args *r = run_args_of(handle);
    int n = copy_pairs(env, jkeys, jvalues, &r->sysctl_keys, &r->nsysctl_keys, &r->sysctl_values,
                       &r->nsysctl_values);

    (void)cls;
    if (n < 0)
        return;
    r->args.sysctl_keys = (const char *const *)r->sysctl_keys;
    r->args.sysctl_values = (const char *const *)r->sysctl_values;
    r->args.nsysctls = n;
}

/* Bundle's namespacePaths: each namespace to join, by linux.namespaces'
 * type name, and its path, in step (namespaces.c). */
JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_setNamespacePaths(JNIEnv *env, jclass cls, jlong handle,
                                                   jobjectArray jtypes, jobjectArray jpaths)
{
    struct run_args *r = run_args_of(handle);
    int n = copy_pairs(env, jtypes, jpaths, &r->join_types, &r->njoin_types, &r->join_paths,
                       &r->njoin_paths);

    (void)cls;
    if (n < 0)
        return;
    r->args.join_types = (const char *const *)r->join_types;
    r->args.join_paths = (const char *const *)r->join_paths;
    r->args.njoins = n;
}

JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_addRlimit(JNIEnv *env, jclass cls, jlong handle, jobject rlimit,
                                           jbyteArray jtype)
{
    struct run_args *r = run_args_of(handle);
    void *items;
    char *type = NULL;

    (void)cls;
    items = r->rlimits;
    if (make_room(env, &items, &r->rlimits_room, r->args.nrlimits, sizeof *r->rlimits) < 0)
        return;
    r->args.rlimits = r->rlimits = items;
    if (copy_optional(env, jtype, &type) < 0)
        return;
    r->rlimits[r->args.nrlimits++] = (struct cfs_rlimit){
        .type = type,
        .soft = (unsigned long long)long_field(env, rlimit, "soft"),
        .hard = (unsigned long long)long_field(env, rlimit, "hard"),
    };
}

/* start: 0, or errno (ESRCH: the container is gone). */
JNIEXPORT jint JNICALL
Java_io_containerfs_linux_Native_startCreated(JNIEnv *env, jclass cls, jbyteArray jfifo, jint pid)
{
    int failed = 0;
    char *fifo = copy_bytes(env, jfifo, &failed);
    int result;

    (void)cls;
    if (failed)
        return EINVAL;
    result = cfs_start_created(fifo, pid) == 0 ? 0 : errno;
    free(fifo);
    return result;
}

/* kill: 0, or errno of kill(2). */
JNIEXPORT jint JNICALL
Java_io_containerfs_linux_Native_signal(JNIEnv *env, jclass cls, jint pid, jint sig)
{
    (void)env;
    (void)cls;
    return kill(pid, sig) == 0 ? 0 : errno;
}

/* kill --all (sig > 0) and delete (sig 0: kill all and remove the cgroup). */
JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_signalCgroup(JNIEnv *env, jclass cls, jbyteArray jid,
                                              jbyteArray jcgroups_path, jint sig)
{
    int failed = 0;
    char *id = copy_bytes(env, jid, &failed);
    char *cgroups_path = failed ? NULL : copy_bytes(env, jcgroups_path, &failed);

    (void)cls;
    if (!failed && id != NULL) {
        if (sig > 0)
            cfs_signal_container(id, cgroups_path, sig);
        else
            cfs_remove_container_cgroup(id, cgroups_path);
    }
    free(id);
    free(cgroups_path);
}

JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_setCommand(JNIEnv *env, jclass cls, jlong handle,
                                            jobjectArray jcommand, jboolean trace)
{
    struct run_args *r = run_args_of(handle);

    (void)cls;
    r->args.argv = copy_byte_arrays(env, jcommand, &r->args.argc);
    r->args.trace = trace == JNI_TRUE;
}

JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_setCaller(JNIEnv *env, jclass cls, jlong handle, jint null_stdio,
                                           jlong nofile)
{
    struct run_args *r = run_args_of(handle);

    (void)env;
    (void)cls;
    r->args.null_stdio = null_stdio;
    r->args.nofile = nofile > 0 ? (unsigned long long)nofile : 0;
}

JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_setIsolation(JNIEnv *env, jclass cls, jlong handle,
                                              jobject isolation, jbyteArray jhostname)
{
    struct run_args *r = run_args_of(handle);
    args_t *args = &r->args;

    (void)cls;
    if (copy_optional(env, jhostname, &r->hostname) < 0)
        return;
    args->hostname = r->hostname;
    args->cap_add = (unsigned long long)long_field(env, isolation, "capAdd");
    args->cap_drop = (unsigned long long)long_field(env, isolation, "capDrop");
    args->privileged = boolean_field(env, isolation, "privileged");
    args->no_new_privileges = boolean_field(env, isolation, "noNewPrivileges");
    args->seccomp_unconfined = boolean_field(env, isolation, "seccompUnconfined");
    args->host_pid_namespace = boolean_field(env, isolation, "hostPidNamespace");
}

JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_setNetwork(JNIEnv *env, jclass cls, jlong handle, jint mode)
{
    (void)env;
    (void)cls;
    run_args_of(handle)->args.network = mode;
}

static int
int_field(JNIEnv *env, jobject record, const char *name)
{
    jfieldID id = record_field(env, record, name, "I");

    return id != NULL ? (int)(*env)->GetIntField(env, record, id) : 0;
}

JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_addPublishedPort(JNIEnv *env, jclass cls, jlong handle,
                                                  jobject port)
{
    struct run_args *r = run_args_of(handle);
    struct cfs_port *grown;

    (void)cls;
    grown = realloc(r->ports, (size_t)(r->args.nports + 1) * sizeof *grown);
    if (grown == NULL) {
        throw_out_of_memory(env);
        return;
    }
    r->ports = grown;
    r->args.ports = grown;
    grown[r->args.nports++] = (struct cfs_port){
        .host_addr = (unsigned int)int_field(env, port, "hostAddress"),
        .host_port = int_field(env, port, "hostPort"),
        .container_port = int_field(env, port, "containerPort"),
        .udp = boolean_field(env, port, "udp"),
    };
}

/* --security-opt seccomp=FILE: the profile Java read, instead of the
 * default one; its rules follow, one call each, then each rule's conditions. */
JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_setSeccompProfile(JNIEnv *env, jclass cls, jlong handle,
                                                   jobject profile)
{
    struct run_args *r = run_args_of(handle);

    (void)cls;
    r->seccomp.default_action = (int)long_field(env, profile, "defaultAction");
    r->seccomp.default_errno = (unsigned int)long_field(env, profile, "defaultErrno");
    r->args.seccomp_profile = &r->seccomp;
}

JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_addSeccompRule(JNIEnv *env, jclass cls, jlong handle, jobject rule,
                                                jobjectArray jnames)
{
    struct run_args *r = run_args_of(handle);
    void *items;
    struct cfs_seccomp_rule *added;
    char **names;
    int nnames = 0;

    (void)cls;
    items = r->seccomp_rules;
    if (make_room(env, &items, &r->seccomp_room, r->seccomp.nrules, sizeof *r->seccomp_rules) < 0)
        return;
    r->seccomp.rules = r->seccomp_rules = items;
    if ((names = copy_byte_arrays(env, jnames, &nnames)) == NULL)
        return;
    added = &r->seccomp_rules[r->seccomp.nrules++];
    *added = (struct cfs_seccomp_rule){
        .names = (const char *const *)names,
        .nnames = nnames,
        .action = (int)long_field(env, rule, "action"),
        .errno_ret = (unsigned int)long_field(env, rule, "errnoRet"),
        .caps = (unsigned long long)long_field(env, rule, "caps"),
        .caps_excluded = (unsigned long long)long_field(env, rule, "capsExcluded"),
        .arches = (unsigned int)long_field(env, rule, "arches"),
        .arches_excluded = (unsigned int)long_field(env, rule, "archesExcluded"),
        .min_kernel = (unsigned int)long_field(env, rule, "minKernel"),
    };
}

/* Java allows six conditions a rule, as a call has six arguments. */
JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_addSeccompCondition(JNIEnv *env, jclass cls, jlong handle,
                                                     jobject condition)
{
    struct run_args *r = run_args_of(handle);
    struct cfs_seccomp_rule *last
        = r->seccomp.nrules > 0 ? &r->seccomp_rules[r->seccomp.nrules - 1] : NULL;
    cfs_error_t err;

    (void)cls;
    if (last == NULL || last->nconditions == CFS_SECCOMP_ARGS) {
        cfs_set_error(&err, CFS_STEP_PREPARE, "seccomp profile", E2BIG);
        throw_container_error(env, &err);
        return;
    }
    last->conditions[last->nconditions++] = (struct cfs_seccomp_condition){
        .index = (unsigned int)long_field(env, condition, "index"),
        .op = (int)long_field(env, condition, "operator"),
        .value = (unsigned long long)long_field(env, condition, "value"),
        .value_two = (unsigned long long)long_field(env, condition, "valueTwo"),
    };
}

JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_setLimits(JNIEnv *env, jclass cls, jlong handle, jobject limits)
{
    args_t *args = &run_args_of(handle)->args;

    (void)cls;
    args->memory = long_field(env, limits, "memory");
    args->memory_swap = long_field(env, limits, "memorySwap");
    args->pids_limit = long_field(env, limits, "pidsLimit");
    args->cpu_quota = long_field(env, limits, "cpuQuota");
    args->cpu_shares = long_field(env, limits, "cpuShares");
    args->stats = boolean_field(env, limits, "stats");
}

/* user is {uid, gid, groups...}, or null to stay root. */
JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_setExecution(JNIEnv *env, jclass cls, jlong handle,
                                              jobject execution, jobjectArray jenv,
                                              jbyteArray jhome, jbyteArray jcwd, jintArray juser)
{
    struct run_args *r = run_args_of(handle);
    jsize nids = juser == NULL ? 0 : (*env)->GetArrayLength(env, juser);

    (void)cls;
    if ((r->env = copy_byte_arrays(env, jenv, &r->args.nenv)) == NULL
        || copy_optional(env, jhome, &r->home) < 0 || copy_optional(env, jcwd, &r->cwd) < 0)
        return;
    r->args.env = r->env;
    r->args.home = r->home;
    r->args.cwd = r->cwd;
    r->args.env_host = boolean_field(env, execution, "envHost");
    r->args.tty = boolean_field(env, execution, "tty");
    r->args.init = boolean_field(env, execution, "init");
    r->args.step = boolean_field(env, execution, "step");
    if (nids < 2)
        return;
    if ((r->groups = calloc((size_t)nids, sizeof *r->groups)) == NULL) {
        throw_out_of_memory(env);
        return;
    }
    (*env)->GetIntArrayRegion(env, juser, 0, nids, (jint *)r->groups);
    r->args.user = 1;
    r->args.uid = r->groups[0];
    r->args.gid = r->groups[1];
    r->args.groups = r->groups + 2;
    r->args.ngroups = nids - 2;
}

JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_addMount(JNIEnv *env, jclass cls, jlong handle, jobject mount,
                                          jbyteArray jsource, jbyteArray jtarget,
                                          jbyteArray jtmpfs_options)
{
    struct run_args *r = run_args_of(handle);
    void *items;
    struct cfs_mount *m;
    char *source = NULL, *target = NULL, *options = NULL;

    (void)cls;
    items = r->mounts;
    if (make_room(env, &items, &r->mounts_room, r->args.nmounts, sizeof *r->mounts) < 0)
        return;
    r->args.mounts = r->mounts = items;
    if (copy_optional(env, jsource, &source) < 0 || copy_optional(env, jtarget, &target) < 0
        || copy_optional(env, jtmpfs_options, &options) < 0) {
        free(source);
        free(target);
        return;
    }
    m = &r->mounts[r->args.nmounts++];
    *m = (struct cfs_mount){ .source = source,
                             .target = target,
                             .tmpfs_options = options,
                             .read_only = boolean_field(env, mount, "readOnly"),
                             .nosuid = boolean_field(env, mount, "nosuid"),
                             .noexec = boolean_field(env, mount, "noexec"),
                             .cgroup = boolean_field(env, mount, "cgroup") };
}

JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_addDevice(JNIEnv *env, jclass cls, jlong handle, jobject device,
                                           jobject node, jbyteArray jhost, jbyteArray jtarget)
{
    struct run_args *r = run_args_of(handle);
    void *items;
    char *host = NULL, *target = NULL;

    (void)cls;
    items = r->devices;
    if (make_room(env, &items, &r->devices_room, r->args.ndevices, sizeof *r->devices) < 0)
        return;
    r->args.devices = r->devices = items;
    if (copy_optional(env, jhost, &host) < 0 || copy_optional(env, jtarget, &target) < 0) {
        free(host);
        return;
    }
    r->devices[r->args.ndevices++] = (struct cfs_device){
        .host = host,
        .target = target,
        .access = (boolean_field(env, device, "read") ? CFS_ACCESS_READ : 0)
                  | (boolean_field(env, device, "write") ? CFS_ACCESS_WRITE : 0)
                  | (boolean_field(env, device, "mknod") ? CFS_ACCESS_MKNOD : 0),
    };
    if (node != NULL) { /* an OCI linux.devices entry: its own numbers, no rule */
        struct cfs_device *d = &r->devices[r->args.ndevices - 1];

        d->node_given = 1;
        d->mode = (unsigned int)int_field(env, node, "mode");
        d->major = (unsigned int)int_field(env, node, "major");
        d->minor = (unsigned int)int_field(env, node, "minor");
        d->uid = (unsigned int)int_field(env, node, "uid");
        d->gid = (unsigned int)int_field(env, node, "gid");
    }
}

/* One of Bundle's deviceRules (linux.resources.devices' allow rules). */
JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_addDeviceRule(JNIEnv *env, jclass cls, jlong handle,
                                               jobject device_rule)
{
    struct run_args *r = run_args_of(handle);
    void *items = r->device_rules;

    (void)cls;
    if (make_room(env, &items, &r->device_rules_room, r->args.ndevice_rules,
                  sizeof *r->device_rules)
        < 0)
        return;
    r->args.device_rules = r->device_rules = items;
    r->device_rules[r->args.ndevice_rules++] = (struct cfs_device_rule){
        .type = boolean_field(env, device_rule, "block") ? 'b' : 'c',
        .major = int_field(env, device_rule, "major"),
        .minor = int_field(env, device_rule, "minor"),
        .access = (boolean_field(env, device_rule, "read") ? CFS_ACCESS_READ : 0)
                  | (boolean_field(env, device_rule, "write") ? CFS_ACCESS_WRITE : 0)
                  | (boolean_field(env, device_rule, "mknod") ? CFS_ACCESS_MKNOD : 0),
    };
}

/* Native.run has checked the command (at least one word) and holds the
 * class lock, one container at a time, since the signal dispositions the
 * core takes over are per process.  A setter that failed left its
 * exception pending, which Java has thrown: nothing half-set runs. */
JNIEXPORT jint JNICALL
Java_io_containerfs_linux_Native_runArgs(JNIEnv *env, jclass cls, jlong handle)
{
    cfs_error_t err;
    int status;

    (void)cls;
    status = cfs_run_container(&run_args_of(handle)->args, &err);
    if (err.step != CFS_STEP_NONE)
        throw_container_error(env, &err);
    return status;
}

/* exec: as runArgs, but the command runs in the running OCI container
 * whose process is pid (enter.c); detached, it returns once the command
 * has exec'd. */
JNIEXPORT jint JNICALL
Java_io_containerfs_linux_Native_execArgs(JNIEnv *env, jclass cls, jlong handle, jint pid,
                                          jboolean detach)
{
    cfs_error_t err;
    int status;

    (void)cls;
    status = cfs_exec_in_container(&run_args_of(handle)->args, pid, detach == JNI_TRUE, &err);
    if (err.step != CFS_STEP_NONE)
        throw_container_error(env, &err);
    return status;
}

/* Whether every character is ASCII other than NUL (U+0001 to U+007F), which
 * UTF-8, modified UTF-8 and every ASCII-compatible charset write as itself;
 * then copies them to bytes. */
static int
ascii_chars(const jchar *chars, jsize n, jbyte *bytes)
{
    for (jsize i = 0; i < n; i++) {
        if (chars[i] == 0 || chars[i] > 0x7f)
            return 0;
        bytes[i] = (jbyte)chars[i];
    }
    return 1;
}

/* Whether every byte is ASCII other than NUL: 1 to 0x7f. */
static int
is_ascii_text(const char *text, jsize n)
{
    for (jsize i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];

        if (c == 0 || c > 0x7f)
            return 0;
    }
    return 1;
}

/* Native.asciiBytes: each word's bytes where it is all ASCII without NUL
 * (ascii_chars); null for any other word (or a null one), which Java
 * encodes.  One call for a list: a cold JVM's interpreter took about 2 µs a
 * word to check and copy the characters itself, per lower layer.  Returns
 * NULL with an exception pending when it cannot. */
JNIEXPORT jobjectArray JNICALL
Java_io_containerfs_linux_Native_asciiBytes(JNIEnv *env, jclass cls, jobjectArray jwords)
{
    jsize n = (*env)->GetArrayLength(env, jwords);
    jclass bytes_class = (*env)->FindClass(env, "[B");
    jobjectArray out;
    jchar chars[PATH_MAX];
    jbyte bytes[PATH_MAX];

    (void)cls;
    if (bytes_class == NULL || (out = (*env)->NewObjectArray(env, n, bytes_class, NULL)) == NULL)
        return NULL;
    for (jsize i = 0; i < n; i++) {
        jstring jword = (*env)->GetObjectArrayElement(env, jwords, i);
        jsize len = jword == NULL ? 0 : (*env)->GetStringLength(env, jword);
        jbyteArray jbytes;

        if (jword != NULL && len <= PATH_MAX) {
            (*env)->GetStringRegion(env, jword, 0, len, chars);
            if (ascii_chars(chars, len, bytes)) {
                if ((jbytes = (*env)->NewByteArray(env, len)) == NULL)
                    return NULL;
                (*env)->SetByteArrayRegion(env, jbytes, 0, len, bytes);
                (*env)->SetObjectArrayElement(env, out, i, jbytes);
                (*env)->DeleteLocalRef(env, jbytes);
            }
        }
        (*env)->DeleteLocalRef(env, jword);
    }
    return out;
}

/* Native.asciiStrings: the other way, each byte string as a String where it
 * is all ASCII without NUL (then modified UTF-8 too, as NewStringUTF takes
 * it); null for any other (or a null one), which Java decodes.  Returns NULL
 * with an exception pending when it cannot. */
JNIEXPORT jobjectArray JNICALL
Java_io_containerfs_linux_Native_asciiStrings(JNIEnv *env, jclass cls, jobjectArray jbytes_list)
{
    jsize n = (*env)->GetArrayLength(env, jbytes_list);
    jclass string_class = (*env)->FindClass(env, "java/lang/String");
    jobjectArray out;
    char text[PATH_MAX + 1];

    (void)cls;
    if (string_class == NULL || (out = (*env)->NewObjectArray(env, n, string_class, NULL)) == NULL)
        return NULL;
    for (jsize i = 0; i < n; i++) {
        jbyteArray jbytes = (*env)->GetObjectArrayElement(env, jbytes_list, i);
        jsize len = jbytes == NULL ? 0 : (*env)->GetArrayLength(env, jbytes);
        jstring jtext;

        if (jbytes != NULL && len <= PATH_MAX) {
            (*env)->GetByteArrayRegion(env, jbytes, 0, len, (jbyte *)text);
            if (is_ascii_text(text, len)) {
                text[len] = '\0';
                if ((jtext = (*env)->NewStringUTF(env, text)) == NULL)
                    return NULL;
                (*env)->SetObjectArrayElement(env, out, i, jtext);
                (*env)->DeleteLocalRef(env, jtext);
            }
        }
        (*env)->DeleteLocalRef(env, jbytes);
    }
    return out;
}

JNIEXPORT jint JNICALL
Java_io_containerfs_linux_Native_effectiveUid(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return (jint)geteuid();
}

/* Throws the NodeException of step failing on path, errno as the call left
 * it: call it before free(3), which may change errno. */
static void
throw_node_error(JNIEnv *env, int step, const char *path)
{
    char message[PATH_MAX + 256];
    int errnum = errno;

    cfs_format_node_error(step, path, errnum, message, sizeof message);
    throw_native_error(env, NODE_EXCEPTION, NODE_FACTORY, step, path, errnum, message, 0);
}

/* The same, for a call that had only a descriptor: the path crosses for the
 * message only. */
static void
throw_node_error_at(JNIEnv *env, int step, jbyteArray jpath)
{
    int errnum = errno, failed = 0;
    char *path = copy_bytes(env, jpath, &failed);

    if (path == NULL)
        return;
    errno = errnum;
    throw_node_error(env, step, path);
    free(path);
}

JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_makeNodeAt(JNIEnv *env, jclass cls, jbyteArray jpath, jint mode,
                                            jint major, jint minor, jint uid, jint gid,
                                            jlong mtime_sec, jint mtime_nsec)
{
    int failed = 0, step;
    char *path;

    (void)cls;
    path = copy_bytes(env, jpath, &failed);
    if (path == NULL)
        return;
    step = cfs_make_node(path, (unsigned int)mode, (unsigned int)major, (unsigned int)minor, uid,
                         gid, mtime_sec, mtime_nsec);
    if (step != CFS_NODE_NONE)
        throw_node_error(env, step, path);
    free(path);
}

JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_markOpaqueAt(JNIEnv *env, jclass cls, jbyteArray jpath)
{
    int failed = 0, step;
    char *path;

    (void)cls;
    path = copy_bytes(env, jpath, &failed);
    if (path == NULL)
        return;
    step = cfs_mark_opaque(path);
    if (step != CFS_NODE_NONE)
        throw_node_error(env, step, path);
    free(path);
}

JNIEXPORT jboolean JNICALL
Java_io_containerfs_linux_Native_isOpaqueAt(JNIEnv *env, jclass cls, jbyteArray jpath)
{
    int failed = 0, opaque;
    char *path;

    (void)cls;
    path = copy_bytes(env, jpath, &failed);
    if (path == NULL)
        return JNI_FALSE;
    opaque = cfs_is_opaque(path);
    free(path);
    return opaque ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_setMetadataAt(JNIEnv *env, jclass cls, jbyteArray jpath, jint mode,
                                               jint uid, jint gid, jlong mtime_sec, jint mtime_nsec)
{
    int failed = 0, step;
    char *path;

    (void)cls;
    path = copy_bytes(env, jpath, &failed);
    if (path == NULL)
        return;
    step = cfs_set_metadata(path, (unsigned int)mode, uid, gid, mtime_sec, mtime_nsec);
    if (step != CFS_NODE_NONE)
        throw_node_error(env, step, path);
    free(path);
}

JNIEXPORT jint JNICALL
Java_io_containerfs_linux_Native_createFileAt(JNIEnv *env, jclass cls, jbyteArray jpath)
{
    int failed = 0, fd;
    char *path;

    (void)cls;
    path = copy_bytes(env, jpath, &failed);
    if (path == NULL)
        return -1;
    fd = cfs_create_file(path);
    if (fd < 0)
        throw_node_error(env, CFS_NODE_CREATE, path);
    free(path);
    return fd;
}

/* Through a buffer of our own, not the array itself: a write(2) can block
 * (a slow disk, NFS), and no critical region may outlast it.  Java has
 * checked offset and length against the array; GetByteArrayRegion checks
 * them again. */
JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_writeFileAt(JNIEnv *env, jclass cls, jint fd, jbyteArray jpath,
                                             jbyteArray bytes, jint offset, jint length)
{
    char chunk[32 * 1024];

    (void)cls;
    while (length > 0) {
        jint n = length < (jint)sizeof chunk ? length : (jint)sizeof chunk;
        (*env)->GetByteArrayRegion(env, bytes, offset, n, (jbyte *)chunk);
        if ((*env)->ExceptionCheck(env))
            return; /* out of the array's bounds: ArrayIndexOutOfBoundsException pending */
        if (cfs_write_all(fd, chunk, (size_t)n) < 0) {
            throw_node_error_at(env, CFS_NODE_WRITE, jpath);
            return;
        }
        offset += n;
        length -= n;
    }
}

JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_finishFileAt(JNIEnv *env, jclass cls, jint fd, jbyteArray jpath,
                                              jint mode, jint uid, jint gid, jlong mtime_sec,
                                              jint mtime_nsec)
{
    int step;

    (void)cls;
    step = cfs_finish_file(fd, (unsigned int)mode, uid, gid, mtime_sec, mtime_nsec);
    if (step != CFS_NODE_NONE)
        throw_node_error_at(env, step, jpath);
}

JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_closeFile(JNIEnv *env, jclass cls, jint fd)
{
    (void)env;
    (void)cls;
    close(fd);
}

/* The digest crosses JNI as a jlong holding its pointer; Sha2 keeps it and
 * hands it back, never twice to digestFinish. */
JNIEXPORT jlong JNICALL
Java_io_containerfs_linux_Native_digestNew(JNIEnv *env, jclass cls, jint bits)
{
    (void)env;
    (void)cls;
    return (jlong)(intptr_t)cfs_digest_new(bits);
}

JNIEXPORT jboolean JNICALL
Java_io_containerfs_linux_Native_digestUpdate(JNIEnv *env, jclass cls, jlong handle,
                                              jbyteArray bytes, jint offset, jint length)
{
    jbyte *data;
    int result;

    (void)cls;
    /* Sha2 has checked them; a caller that has not gets false, not a stray read. */
    if (handle == 0 || offset < 0 || length < 0
        || length > (*env)->GetArrayLength(env, bytes) - offset)
        return JNI_FALSE;
    /* Critical: no copy of the array; nothing between Get and Release calls
     * back into the JVM. */
    data = (*env)->GetPrimitiveArrayCritical(env, bytes, NULL);
    if (data == NULL)
        return JNI_FALSE; /* OutOfMemoryError pending */
    result
        = cfs_digest_update((struct cfs_digest *)(intptr_t)handle, data + offset, (size_t)length);
    (*env)->ReleasePrimitiveArrayCritical(env, bytes, data, JNI_ABORT);
    return result == 0 ? JNI_TRUE : JNI_FALSE;
}

/* The digest's bytes, or null when libcrypto failed; frees the digest. */
JNIEXPORT jbyteArray JNICALL
Java_io_containerfs_linux_Native_digestFinish(JNIEnv *env, jclass cls, jlong handle)
{
    unsigned char out[64];
    jbyteArray bytes;
    int length;

    (void)cls;
    if (handle == 0)
        return NULL;
    length = cfs_digest_finish((struct cfs_digest *)(intptr_t)handle, out, sizeof out);
    if (length < 0)
        return NULL;
    bytes = (*env)->NewByteArray(env, length);
    if (bytes != NULL)
        (*env)->SetByteArrayRegion(env, bytes, 0, length, (const jbyte *)out);
    return bytes;
}

/* The zstd decoder crosses JNI as a jlong holding its pointer; ZstdLayer
 * keeps it and hands it back, to zstdFree once. */
JNIEXPORT jlong JNICALL
Java_io_containerfs_linux_Native_zstdNew(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return (jlong)(intptr_t)cfs_zstd_new();
}

/* Bytes used of in, in the high 32 bits; bytes made in out, shifted left by
 * one; and the lowest bit set when the input so far ends inside a frame.  -1
 * when the bytes are not valid zstd (zstdError says why) or the arguments
 * are wrong, which ZstdLayer has checked. */
JNIEXPORT jlong JNICALL
Java_io_containerfs_linux_Native_zstdDecode(JNIEnv *env, jclass cls, jlong handle, jbyteArray in,
                                            jint in_offset, jint in_length, jbyteArray out,
                                            jint out_offset, jint out_length)
{
    jbyte *in_data, *out_data;
    size_t used, made;
    int result;

    (void)cls;
    if (handle == 0 || in_offset < 0 || in_length < 0
        || in_length > (*env)->GetArrayLength(env, in) - in_offset || out_offset < 0
        || out_length < 0 || out_length > (*env)->GetArrayLength(env, out) - out_offset)
        return -1;
    /* Critical: no copy of either array; nothing between Get and Release
     * calls back into the JVM. */
    in_data = (*env)->GetPrimitiveArrayCritical(env, in, NULL);
    if (in_data == NULL)
        return -1; /* OutOfMemoryError pending */
    out_data = (*env)->GetPrimitiveArrayCritical(env, out, NULL);
    if (out_data == NULL) {
        (*env)->ReleasePrimitiveArrayCritical(env, in, in_data, JNI_ABORT);
        return -1;
    }
    result = cfs_zstd_decode((struct cfs_zstd *)(intptr_t)handle, in_data + in_offset,
                             (size_t)in_length, &used, out_data + out_offset, (size_t)out_length,
                             &made);
    (*env)->ReleasePrimitiveArrayCritical(env, out, out_data, 0);
    (*env)->ReleasePrimitiveArrayCritical(env, in, in_data, JNI_ABORT);
    if (result < 0)
        return -1;
    return (jlong)used << 32 | (jlong)made << 1 | result;
}

/* libzstd's words for the decoder's last error, as ASCII bytes; null if none. */
JNIEXPORT jbyteArray JNICALL
Java_io_containerfs_linux_Native_zstdError(JNIEnv *env, jclass cls, jlong handle)
{
    const char *error;

    (void)cls;
    error = handle == 0 ? NULL : cfs_zstd_error((struct cfs_zstd *)(intptr_t)handle);
    return error == NULL ? NULL : new_bytes(env, error);
}

JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_zstdFree(JNIEnv *env, jclass cls, jlong handle)
{
    (void)env;
    (void)cls;
    cfs_zstd_free((struct cfs_zstd *)(intptr_t)handle);
}

JNIEXPORT jboolean JNICALL
Java_io_containerfs_linux_Native_hasSubordinateRanges(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return cfs_userns_has_ranges() ? JNI_TRUE : JNI_FALSE;
}

/* pull as a user: owners is uid, gid, mode (-1: a symlink's) for each path. */
JNIEXPORT jboolean JNICALL
Java_io_containerfs_linux_Native_ownTreeAt(JNIEnv *env, jclass cls, jbyteArray jroot,
                                           jobjectArray jpaths, jintArray jowners)
{
    struct cfs_own_tree tree;
    cfs_error_t err;
    int failed = 0, n = 0, result = -1;
    char *root = NULL, **paths = NULL;
    jint *owners = NULL;
    int *uids = NULL, *gids = NULL, *modes = NULL;

    (void)cls;
    root = copy_bytes(env, jroot, &failed);
    if (root == NULL || (paths = copy_byte_arrays(env, jpaths, &n)) == NULL)
        goto out;
    if ((*env)->GetArrayLength(env, jowners) != 3 * n) {
        cfs_set_error(&err, CFS_STEP_ROOTLESS, root, EINVAL);
        throw_container_error(env, &err);
        goto out;
    }
    owners = (*env)->GetIntArrayElements(env, jowners, NULL);
    uids = calloc((size_t)n + 1, sizeof *uids);
    gids = calloc((size_t)n + 1, sizeof *gids);
    modes = calloc((size_t)n + 1, sizeof *modes);
    if (owners == NULL || uids == NULL || gids == NULL || modes == NULL) {
        throw_out_of_memory(env);
        goto out;
    }
    for (int i = 0; i < n; i++) {
        uids[i] = owners[3 * i];
        gids[i] = owners[3 * i + 1];
        modes[i] = owners[3 * i + 2];
    }
    tree = (struct cfs_own_tree){ .root = root,
                                  .paths = (const char *const *)paths,
                                  .uids = uids,
                                  .gids = gids,
                                  .modes = modes,
                                  .n = n };
    result = cfs_userns_own_tree(&tree, &err);
    if (result < 0)
        throw_container_error(env, &err);
out:
    if (owners != NULL)
        (*env)->ReleaseIntArrayElements(env, jowners, owners, JNI_ABORT);
    free(uids);
    free(gids);
    free(modes);
    free_strings(paths, n);
    free(root);
    return result == 0 ? JNI_TRUE : JNI_FALSE;
}

/* ---- The OCI runtime's state (core/oci_state.c) ----
 * state, start, kill, delete and list, and create's state: the calls the
 * launcher makes without a JVM, here for the jar.  A failure is an
 * OciStateException with the core's one line; the post hooks' warnings come
 * back as lines, for the front end to print and log. */

#define OCI_EXCEPTION "io/containerfs/linux/OciStateException"

static void
throw_oci_error(JNIEnv *env, const cfs_oci_error_t *err)
{
    jclass cls = (*env)->FindClass(env, OCI_EXCEPTION);
    jmethodID factory;
    jbyteArray message;
    jobject ex;

    if (cls == NULL
        || (factory = (*env)->GetStaticMethodID(env, cls, "fromNative", "([B)L" OCI_EXCEPTION ";"))
               == NULL
        || (message = new_bytes(env, err->message)) == NULL)
        return;
    ex = (*env)->CallStaticObjectMethod(env, cls, factory, message);
    if (ex != NULL && !(*env)->ExceptionCheck(env))
        (*env)->Throw(env, ex);
}

/* A root and an id, copied: 0, or -1 with an exception pending. */
static int
copy_root_and_id(JNIEnv *env, jbyteArray jroot, jbyteArray jid, char **root, char **id)
{
    int failed = 0;

    *root = copy_bytes(env, jroot, &failed);
    *id = failed ? NULL : copy_bytes(env, jid, &failed);
    if (failed || *root == NULL || *id == NULL) {
        free(*root);
        free(*id);
        return -1;
    }
    return 0;
}

/* What a FILE opened by open_memstream got, as a byte[] (NULL when it failed). */
static jbyteArray
memstream_bytes(JNIEnv *env, FILE *out, char **text)
{
    jbyteArray bytes;

    if (fclose(out) != 0 || *text == NULL) {
        free(*text);
        throw_out_of_memory(env);
        return NULL;
    }
    bytes = new_bytes(env, *text);
    free(*text);
    return bytes;
}

/* What a call printed into out (open_memstream's), as a byte[]; when the
 * call failed (result < 0), its error thrown instead, and NULL. */
static jbyteArray
printed(JNIEnv *env, FILE *out, char **text, int result, const cfs_oci_error_t *err)
{
    if (result < 0) {
        fclose(out);
        free(*text);
        throw_oci_error(env, err);
        return NULL;
    }
    return memstream_bytes(env, out, text);
}

/* Each warning, one line, into the FILE the context is. */
static void
collect_warning(void *context, const char *message)
{
    fprintf(context, "%s\n", message);
}

/* state and the records of ps and exec: status, pid, bundle, rootfs,
 * cgroupsPath (empty: none) and the state document, each as bytes. */
JNIEXPORT jobjectArray JNICALL
Java_io_containerfs_linux_Native_ociState(JNIEnv *env, jclass cls, jbyteArray jroot, jbyteArray jid)
{
    struct cfs_oci_state s;
    cfs_oci_error_t err;
    char *root, *id, *document = NULL, pid[16];
    size_t length = 0;
    jobjectArray out = NULL;
    jclass bytes_class;
    FILE *json;

    (void)cls;
    if (copy_root_and_id(env, jroot, jid, &root, &id) < 0)
        return NULL;
    if (cfs_oci_load(root, id, &s, &err) < 0) {
        throw_oci_error(env, &err);
    } else if ((json = open_memstream(&document, &length)) == NULL) {
        throw_out_of_memory(env);
    } else {
        cfs_oci_print_state(&s, json);
        snprintf(pid, sizeof pid, "%d", s.pid);
        fclose(json);
        const char *fields[] = { cfs_oci_status_name(s.status),
                                 pid,
                                 s.bundle,
                                 s.rootfs,
                                 s.cgroups_path != NULL ? s.cgroups_path : "",
                                 document != NULL ? document : "" };
        bytes_class = (*env)->FindClass(env, "[B");
        out = bytes_class == NULL ? NULL : (*env)->NewObjectArray(env, 6, bytes_class, NULL);
        for (int i = 0; out != NULL && i < 6; i++) {
            jbyteArray b = new_bytes(env, fields[i]);
            if (b == NULL) {
                out = NULL;
                break;
            }
            (*env)->SetObjectArrayElement(env, out, i, b);
        }
        free(document);
    }
    cfs_oci_state_free(&s);
    free(root);
    free(id);
    return out;
}

/* start and delete: the warnings, one a line; kill: the signal's number. */
JNIEXPORT jbyteArray JNICALL
Java_io_containerfs_linux_Native_ociStart(JNIEnv *env, jclass cls, jbyteArray jroot, jbyteArray jid)
{
    cfs_oci_error_t err;
    char *root, *id, *text = NULL;
    size_t length = 0;
    jbyteArray warnings = NULL;
    FILE *out;

    (void)cls;
    if (copy_root_and_id(env, jroot, jid, &root, &id) < 0)
        return NULL;
    if ((out = open_memstream(&text, &length)) == NULL)
        throw_out_of_memory(env);
    else
        warnings
            = printed(env, out, &text, cfs_oci_start(root, id, collect_warning, out, &err), &err);
    free(root);
    free(id);
    return warnings;
}

JNIEXPORT jint JNICALL
Java_io_containerfs_linux_Native_ociKill(JNIEnv *env, jclass cls, jbyteArray jroot, jbyteArray jid,
                                         jbyteArray jsignal, jboolean all)
{
    cfs_oci_error_t err;
    char *root, *id, *signal;
    int failed = 0, number = 0;

    (void)cls;
    if (copy_root_and_id(env, jroot, jid, &root, &id) < 0)
        return 0;
    signal = copy_bytes(env, jsignal, &failed);
    if (!failed && signal != NULL && cfs_oci_kill(root, id, signal, all, &number, &err) < 0)
        throw_oci_error(env, &err);
    free(signal);
    free(root);
    free(id);
    return number;
}

JNIEXPORT jbyteArray JNICALL
Java_io_containerfs_linux_Native_ociDelete(JNIEnv *env, jclass cls, jbyteArray jroot,
                                           jbyteArray jid, jboolean force)
{
    cfs_oci_error_t err;
    char *root, *id, *text = NULL;
    size_t length = 0;
    jbyteArray warnings = NULL;
    FILE *out;

    (void)cls;
    if (copy_root_and_id(env, jroot, jid, &root, &id) < 0)
        return NULL;
    if ((out = open_memstream(&text, &length)) == NULL)
        throw_out_of_memory(env);
    else
        warnings = printed(env, out, &text,
                           cfs_oci_delete(root, id, force, collect_warning, out, &err), &err);
    free(root);
    free(id);
    return warnings;
}

/* list: what it prints. */
JNIEXPORT jbyteArray JNICALL
Java_io_containerfs_linux_Native_ociList(JNIEnv *env, jclass cls, jbyteArray jroot, jboolean json,
                                         jboolean quiet)
{
    cfs_oci_error_t err;
    int failed = 0;
    char *root = copy_bytes(env, jroot, &failed), *text = NULL;
    size_t length = 0;
    jbyteArray listing = NULL;
    FILE *out;

    (void)cls;
    if (failed || root == NULL)
        return NULL;
    if ((out = open_memstream(&text, &length)) == NULL)
        throw_out_of_memory(env);
    else
        listing = printed(env, out, &text, cfs_oci_list(root, json, quiet, out, &err), &err);
    free(root);
    return listing;
}

/* ps: what it prints (cfs_oci_ps). */
JNIEXPORT jbyteArray JNICALL
Java_io_containerfs_linux_Native_ociPs(JNIEnv *env, jclass cls, jbyteArray jroot, jbyteArray jid,
                                       jboolean json)
{
    cfs_oci_error_t err;
    char *root, *id, *text = NULL;
    size_t length = 0;
    jbyteArray listing = NULL;
    FILE *out;

    (void)cls;
    if (copy_root_and_id(env, jroot, jid, &root, &id) < 0)
        return NULL;
    if ((out = open_memstream(&text, &length)) == NULL)
        throw_out_of_memory(env);
    else
        listing = printed(env, out, &text, cfs_oci_ps(root, id, json, out, &err), &err);
    free(root);
    free(id);
    return listing;
}

/* create: the state directory made, locked and written, with the post hooks
 * of the args handle (addHook's); the lock's descriptor. */
JNIEXPORT jint JNICALL
Java_io_containerfs_linux_Native_ociCreateState(JNIEnv *env, jclass cls, jbyteArray jroot,
                                                jbyteArray jid, jobjectArray jkeys,
                                                jobjectArray jvalues, jlong hooks)
{
    cfs_oci_error_t err;
    char *root, *id, **keys = NULL, **values = NULL;
    int nkeys = 0, nvalues = 0, lock = -1;
    const args_t *args = &run_args_of(hooks)->args;

    (void)cls;
    if (copy_root_and_id(env, jroot, jid, &root, &id) < 0)
        return -1;
    if ((keys = copy_byte_arrays(env, jkeys, &nkeys)) != NULL
        && (values = copy_byte_arrays(env, jvalues, &nvalues)) != NULL) {
        lock = cfs_oci_create_state(root, id, (const char *const *)keys,
                                    (const char *const *)values, nkeys < nvalues ? nkeys : nvalues,
                                    args->hooks, args->nhooks, &err);
        if (lock < 0)
            throw_oci_error(env, &err);
    }
    free_strings(keys, nkeys);
    free_strings(values, nvalues);
    free(root);
    free(id);
    return lock;
}

/* create, once its container waits: the pid, its start time kept, the
 * engine's --pid-file (null: none) written. */
JNIEXPORT jint JNICALL
Java_io_containerfs_linux_Native_ociCreated(JNIEnv *env, jclass cls, jbyteArray jroot,
                                            jbyteArray jid, jbyteArray jpid_file)
{
    cfs_oci_error_t err;
    char *root, *id, *pid_file;
    int failed = 0, pid = -1;

    (void)cls;
    if (copy_root_and_id(env, jroot, jid, &root, &id) < 0)
        return -1;
    pid_file = copy_bytes(env, jpid_file, &failed);
    if (!failed && (pid = cfs_oci_created(root, id, pid_file, &err)) < 0)
        throw_oci_error(env, &err);
    free(pid_file);
    free(root);
    free(id);
    return pid;
}

/* create failed: its state removed. */
JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_ociRemove(JNIEnv *env, jclass cls, jbyteArray jroot,
                                           jbyteArray jid)
{
    cfs_oci_error_t err;
    char *root, *id;

    (void)cls;
    if (copy_root_and_id(env, jroot, jid, &root, &id) < 0)
        return;
    if (cfs_oci_remove(root, id, &err) < 0)
        throw_oci_error(env, &err);
    free(root);
    free(id);
}

/* create's hooks' state: "id": …, "bundle": …, "annotations": … */
JNIEXPORT jbyteArray JNICALL
Java_io_containerfs_linux_Native_ociHookMembers(JNIEnv *env, jclass cls, jbyteArray jroot,
                                                jbyteArray jid)
{
    struct cfs_oci_state s;
    cfs_oci_error_t err;
    char *root, *id, *members;
    jbyteArray out = NULL;

    (void)cls;
    if (copy_root_and_id(env, jroot, jid, &root, &id) < 0)
        return NULL;
    if (cfs_oci_load(root, id, &s, &err) < 0)
        throw_oci_error(env, &err);
    else if ((members = cfs_oci_hook_members(&s)) == NULL)
        throw_out_of_memory(env);
    else {
        out = new_bytes(env, members);
        free(members);
    }
    cfs_oci_state_free(&s);
    free(root);
    free(id);
    return out;
}

/* run: the poststop hooks once its container ended; the warnings. */
JNIEXPORT jbyteArray JNICALL
Java_io_containerfs_linux_Native_ociRunPostHooks(JNIEnv *env, jclass cls, jbyteArray jroot,
                                                 jbyteArray jid, jint phase, jbyteArray jstatus,
                                                 jint pid)
{
    struct cfs_oci_state s;
    cfs_oci_error_t err;
    char *root, *id, *status, *text = NULL;
    size_t length = 0;
    int failed = 0;
    jbyteArray warnings = NULL;
    FILE *out;

    (void)cls;
    memset(&s, 0, sizeof s);
    if (copy_root_and_id(env, jroot, jid, &root, &id) < 0)
        return NULL;
    status = copy_bytes(env, jstatus, &failed);
    if (failed || status == NULL) {
        /* exception pending */
    } else if (cfs_oci_load(root, id, &s, &err) < 0) {
        throw_oci_error(env, &err);
    } else if ((out = open_memstream(&text, &length)) == NULL) {
        throw_out_of_memory(env);
    } else {
        cfs_oci_run_post_hooks(&s, phase, status, pid, collect_warning, out);
        warnings = memstream_bytes(env, out, &text);
    }
    cfs_oci_state_free(&s);
    free(status);
    free(root);
    free(id);
    return warnings;
}

/* create's lock, released. */
JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_ociUnlock(JNIEnv *env, jclass cls, jint lock)
{
    (void)env;
    (void)cls;
    close(lock);
}

/* Where the state lives without --root. */
JNIEXPORT jbyteArray JNICALL
Java_io_containerfs_linux_Native_ociDefaultRoot(JNIEnv *env, jclass cls, jbyteArray jruntime_dir)
{
    int failed = 0;
    char *runtime_dir = copy_bytes(env, jruntime_dir, &failed), root[PATH_MAX];

    (void)cls;
    if (failed)
        return NULL;
    cfs_oci_default_root(runtime_dir, root, sizeof root);
    free(runtime_dir);
    return new_bytes(env, root);
}

/* --log: one line; what went wrong writing it, or an empty array. */
JNIEXPORT jbyteArray JNICALL
Java_io_containerfs_linux_Native_ociLog(JNIEnv *env, jclass cls, jbyteArray jlog, jboolean json,
                                        jbyteArray jlevel, jbyteArray jmessage)
{
    int failed = 0;
    char *log = copy_bytes(env, jlog, &failed);
    char *level = failed ? NULL : copy_bytes(env, jlevel, &failed);
    char *message = failed ? NULL : copy_bytes(env, jmessage, &failed);
    char *text = NULL;
    size_t length = 0;
    jbyteArray problem = NULL;
    FILE *errors;

    (void)cls;
    if (!failed && log != NULL && level != NULL && message != NULL) {
        if ((errors = open_memstream(&text, &length)) == NULL)
            throw_out_of_memory(env);
        else {
            cfs_oci_log(log, json, level, message, errors);
            problem = memstream_bytes(env, errors, &text);
        }
    }
    free(log);
    free(level);
    free(message);
    return problem;
}
