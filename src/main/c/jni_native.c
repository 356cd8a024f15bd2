/* The JNI bridge for io.containerfs.linux.Native: the only file that
 * includes jni.h.  It turns Java byte arrays into an args_t, calls the core,
 * and turns a cfs_error_t into a ContainerException that keeps the step, the
 * path and errno.
 *
 * Paths and words cross as byte[], encoded by Java in the file system's
 * charset (Native.encode), never as jstring: GetStringUTFChars gives modified
 * UTF-8, which spells U+0000 and every character outside the BMP differently
 * from the UTF-8 the kernel's file names are in (JNI spec, "Modified UTF-8
 * Strings"), so the overlay would name directories that do not exist. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container.h"
#include "io_containerfs_linux_Native.h"

#define EXCEPTION_CLASS "io/containerfs/linux/ContainerException"
#define FACTORY_SIGNATURE "(Ljava/lang/String;[BI[B)Lio/containerfs/linux/ContainerException;"

static jbyteArray
new_bytes(JNIEnv *env, const char *s)
{
    jsize n = (jsize)strlen(s);
    jbyteArray bytes = (*env)->NewByteArray(env, n);

    if (bytes != NULL)
        (*env)->SetByteArrayRegion(env, bytes, 0, n, (const jbyte *)s);
    return bytes;
}

/* ContainerException.fromNative(step, path, errno, message): the path and
 * the message hold file names, so they cross as bytes too. */
static void
throw_container_error(JNIEnv *env, const cfs_error_t *err, const char *mountpoint)
{
    char message[1024];
    jclass cls;
    jmethodID factory;
    jstring jstep;
    jbyteArray jpath, jmessage;
    jobject ex;

    cfs_format_error(err, mountpoint, message, sizeof message);
    cls = (*env)->FindClass(env, EXCEPTION_CLASS);
    if (cls == NULL)
        return; /* NoClassDefFoundError is pending */
    factory = (*env)->GetStaticMethodID(env, cls, "fromNative", FACTORY_SIGNATURE);
    if (factory == NULL)
        return; /* NoSuchMethodError is pending */
    if ((jstep = (*env)->NewStringUTF(env, cfs_step_name(err->step))) == NULL
        || (jpath = new_bytes(env, err->path)) == NULL
        || (jmessage = new_bytes(env, message)) == NULL)
        return; /* OutOfMemoryError is pending */
    ex = (*env)->CallStaticObjectMethod(env, cls, factory, jstep, jpath, (jint)err->err, jmessage);
    if (ex != NULL && !(*env)->ExceptionCheck(env))
        (*env)->Throw(env, ex);
}

static void
throw_out_of_memory(JNIEnv *env)
{
    cfs_error_t err;

    cfs_set_error(&err, CFS_STEP_PREPARE, "", ENOMEM);
    throw_container_error(env, &err, NULL);
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

/* A malloc'd, NUL-terminated copy of a byte[] (Java has refused NULs in it).
 * Returns NULL with an exception pending. */
static char *
copy_bytes(JNIEnv *env, jbyteArray bytes)
{
    jsize n = (*env)->GetArrayLength(env, bytes);
    char *out = malloc((size_t)n + 1);

    if (out == NULL) {
        throw_out_of_memory(env);
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

    if (out == NULL) {
        throw_out_of_memory(env);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        jbyteArray bytes = (*env)->GetObjectArrayElement(env, array, i);
        out[i] = bytes == NULL ? NULL : copy_bytes(env, bytes);
        (*env)->DeleteLocalRef(env, bytes);
        if (out[i] == NULL) {
            free_strings(out, n);
            if (!(*env)->ExceptionCheck(env))
                throw_out_of_memory(env);
            return NULL;
        }
    }
    *count = n;
    return out;
}

/* Everything args_t holds is built here, before clone(). */
static int
build_args(JNIEnv *env, args_t *args, jobjectArray jlowers, jbyteArray jupper, jbyteArray jwork,
           jobjectArray jcommand)
{
    int nlowers = 0;
    char **lowers = copy_byte_arrays(env, jlowers, &nlowers);
    char *upper = lowers == NULL ? NULL : copy_bytes(env, jupper);
    char *work = upper == NULL ? NULL : copy_bytes(env, jwork);
    cfs_error_t err;
    int result = -1;

    if (work != NULL) {
        if (cfs_build_overlay_options(args->options, sizeof args->options,
                                      (const char *const *)lowers, nlowers, upper, work, &err)
            < 0)
            throw_container_error(env, &err, NULL);
        else if (jcommand != NULL)
            args->argv = copy_byte_arrays(env, jcommand, &args->argc);
        result = (*env)->ExceptionCheck(env) ? -1 : 0;
    }
    free_strings(lowers, nlowers);
    free(upper);
    free(work);
    return result;
}

/* Native.runContainer: Native.run has checked the arguments (none null, a
 * command of at least one word) and holds the class lock, one container at a
 * time, since the signal dispositions the core takes over are per process. */
JNIEXPORT jint JNICALL
Java_io_containerfs_linux_Native_runContainer(JNIEnv *env, jclass cls, jobjectArray lowers,
                                              jbyteArray upper, jbyteArray work,
                                              jbyteArray mountpoint, jobjectArray command,
                                              jboolean trace)
{
    args_t *args = calloc(1, sizeof *args);
    char *target = NULL;
    cfs_error_t err;
    int status = -1;

    (void)cls;
    if (args == NULL) {
        throw_out_of_memory(env);
        return -1;
    }
    if (build_args(env, args, lowers, upper, work, command) == 0
        && (target = copy_bytes(env, mountpoint)) != NULL) {
        args->mountpoint = target;
        args->trace = trace == JNI_TRUE;
        if (cfs_run_container(args, &err, &status) < 0)
            throw_container_error(env, &err, target);
    }
    free_strings(args->argv, args->argc);
    free(target);
    free(args);
    return status;
}

JNIEXPORT jbyteArray JNICALL
Java_io_containerfs_linux_Native_buildOverlayOptions(JNIEnv *env, jclass cls, jobjectArray lowers,
                                                     jbyteArray upper, jbyteArray work)
{
    args_t *args = calloc(1, sizeof *args);
    jbyteArray result = NULL;

    (void)cls;
    if (args == NULL) {
        throw_out_of_memory(env);
        return NULL;
    }
    if (build_args(env, args, lowers, upper, work, NULL) == 0)
        result = new_bytes(env, args->options);
    free(args);
    return result;
}

JNIEXPORT jint JNICALL
Java_io_containerfs_linux_Native_effectiveUid(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return (jint)geteuid();
}

JNIEXPORT void JNICALL
Java_io_containerfs_linux_Native_makeNodeAt(JNIEnv *env, jclass cls, jbyteArray jpath, jint mode,
                                            jint major, jint minor, jint uid, jint gid,
                                            jlong mtime_sec, jint mtime_nsec)
{
    char *path;
    cfs_error_t err;

    (void)cls;
    path = copy_bytes(env, jpath);
    if (path == NULL)
        return;
    if (cfs_make_node(path, (unsigned int)mode, (unsigned int)major, (unsigned int)minor, uid, gid,
                      mtime_sec, mtime_nsec, &err)
        < 0)
        throw_container_error(env, &err, NULL);
    free(path);
}
