/* Test-only stand-in for Windows' bcryptprimitives.dll, which Debian's
   Wine 8 lacks: Rust's std imports ProcessPrng from it, so without it the
   exe exits with status 53 before main. Windows 10 and later have the real
   DLL; this one is built by the Wine tests, placed next to the exe in a
   temporary directory, and never shipped. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom, advapi32 */

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x7fffffff ? 0x7fffffff : (ULONG)len;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
