/* The JNI bridge for io.containerfs.linux.Native: the only file that
 * includes jni.h.  It turns Java strings and arrays into an args_t, calls
 * the core, and turns a cfs_error_t into a ContainerException that keeps
 * the step, the path and errno. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container.h"
#include "io_containerfs_linux_Native.h"

#define EXCEPTION_CLASS "io/containerfs/linux/ContainerException"

static void
throw_container_error(JNIEnv *env, const cfs_error_t *err, const char *mountpoint)
{
    char message[1024];
    jclass cls;
    jmethodID ctor;
    jstring jstep, jpath, jmessage;
    jobject ex;

    cfs_format_error(err, mountpoint, message, sizeof message);
    cls = (*env)->FindClass(env, EXCEPTION_CLASS);
    if (cls == NULL)
        return; /* NoClassDefFoundError is pending */
    ctor = (*env)->GetMethodID(env, cls, "<init>",
                               "(Ljava/lang/String;Ljava/lang/String;ILjava/lang/String;)V");
    if (ctor == NULL)
        return;
    jstep = (*env)->NewStringUTF(env, cfs_step_name(err->step));
    jpath = (*env)->NewStringUTF(env, err->path);
    jmessage = (*env)->NewStringUTF(env, message);
    if (jstep == NULL || jpath == NULL || jmessage == NULL)
        return;
    ex = (*env)->NewObject(env, cls, ctor, jstep, jpath, (jint)err->err, jmessage);
    if (ex != NULL)
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

/* A calloc'd, NULL-terminated copy of a String[]: the argv execvp wants.
 * Returns NULL with an exception pending. */
static char **
copy_string_array(JNIEnv *env, jobjectArray array, int *count)
{
    int n = (*env)->GetArrayLength(env, array);
    char **out = calloc((size_t)n + 1, sizeof *out);

    if (out == NULL) {
        throw_out_of_memory(env);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        jstring s = (*env)->GetObjectArrayElement(env, array, i);
        const char *utf = s == NULL ? NULL : (*env)->GetStringUTFChars(env, s, NULL);
        if (utf == NULL) {
            free_strings(out, n);
            if (!(*env)->ExceptionCheck(env))
                throw_out_of_memory(env);
            return NULL;
        }
        out[i] = strdup(utf);
        (*env)->ReleaseStringUTFChars(env, s, utf);
        (*env)->DeleteLocalRef(env, s);
        if (out[i] == NULL) {
            free_strings(out, n);
            throw_out_of_memory(env);
            return NULL;
        }
    }
    *count = n;
    return out;
}

static char *
copy_string(JNIEnv *env, jstring s)
{
    const char *utf = (*env)->GetStringUTFChars(env, s, NULL);
    char *out;

    if (utf == NULL)
        return NULL;
    out = strdup(utf);
    (*env)->ReleaseStringUTFChars(env, s, utf);
    if (out == NULL)
        throw_out_of_memory(env);
    return out;
}

/* Everything args_t holds is built here, before clone(). */
static int
build_args(JNIEnv *env, args_t *args, jobjectArray jlowers, jstring jupper, jstring jwork,
           jobjectArray jcommand)
{
    int nlowers = 0;
    char **lowers = copy_string_array(env, jlowers, &nlowers);
    char *upper = lowers == NULL ? NULL : copy_string(env, jupper);
    char *work = upper == NULL ? NULL : copy_string(env, jwork);
    cfs_error_t err;
    int result = -1;

    if (work != NULL) {
        if (cfs_build_overlay_options(args->options, sizeof args->options,
                                      (const char *const *)lowers, nlowers, upper, work, &err)
            < 0)
            throw_container_error(env, &err, NULL);
        else if (jcommand != NULL)
            args->argv = copy_string_array(env, jcommand, &args->argc);
        result = (*env)->ExceptionCheck(env) ? -1 : 0;
    }
    free_strings(lowers, nlowers);
    free(upper);
    free(work);
    return result;
}

JNIEXPORT jint JNICALL
Java_io_containerfs_linux_Native_run(JNIEnv *env, jclass cls, jobjectArray lowers, jstring upper,
                                     jstring work, jstring mountpoint, jobjectArray command,
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
        && (target = copy_string(env, mountpoint)) != NULL) {
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

JNIEXPORT jstring JNICALL
Java_io_containerfs_linux_Native_overlayOptions(JNIEnv *env, jclass cls, jobjectArray lowers,
                                                jstring upper, jstring work)
{
    args_t *args = calloc(1, sizeof *args);
    jstring result = NULL;

    (void)cls;
    if (args == NULL) {
        throw_out_of_memory(env);
        return NULL;
    }
    if (build_args(env, args, lowers, upper, work, NULL) == 0)
        result = (*env)->NewStringUTF(env, args->options);
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
Java_io_containerfs_linux_Native_makeNode(JNIEnv *env, jclass cls, jstring jpath, jint mode,
                                          jint major, jint minor, jint uid, jint gid,
                                          jlong mtime_sec, jint mtime_nsec)
{
    char *path;
    cfs_error_t err;

    (void)cls;
    if (jpath == NULL) {
        jclass npe = (*env)->FindClass(env, "java/lang/NullPointerException");
        if (npe != NULL)
            (*env)->ThrowNew(env, npe, "makeNode: path is null");
        return;
    }
    path = copy_string(env, jpath);
    if (path == NULL)
        return;
    if (cfs_make_node(path, (unsigned int)mode, (unsigned int)major, (unsigned int)minor, uid, gid,
                      mtime_sec, mtime_nsec, &err)
        < 0)
        throw_container_error(env, &err, NULL);
    free(path);
}
