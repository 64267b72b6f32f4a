// The record of the last xerbla report on this thread (xerbla.cc): which LAPACK/BLAS routine
// rejected which of its parameters.
#pragma once

namespace kb {

struct XerblaRecord {
  bool set = false;
  int parameter = 0;
  char routine[32] = {0};
};

/** Forgets any report on this thread (before a computation). */
void xerblaClear();
/** The report since the last clear, if any, and forgets it. */
XerblaRecord xerblaTake();

}  // namespace kb
