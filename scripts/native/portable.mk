# Wraps whisper.cpp's own Makefile (commit 2ef717b, as bundled by smart-whisper 0.8.1) so that its
# flags and source lists stay the upstream ones, with three deliberate changes:
#
# 1. CPU flags. Upstream always adds -march=native -mtune=native on x86_64. GCC expands
#    -march=native into explicit -m<isa> flags (e.g. -mavx512f on the build host) that a later
#    -march=x86-64-v3 does NOT undo, so we filter them out and add $(WHISPER_CPU_FLAGS) instead.
# 2. CUDA architectures. Upstream takes one arch (CUDA_DOCKER_ARCH) or -arch=native (needs a GPU).
#    We replace any -arch= with $(WHISPER_CUDA_GENCODE), a list of -gencode flags.
# 3. C++ standard: C++17 instead of upstream's C++11. node-gyp compiles the binding (and
#    smart-whisper's default build compiles whisper.cpp) as C++17, this project's patch to
#    whisper.cpp uses C++14 aggregate rules, and CUDA 13's CUB/Thrust refuse anything below C++17
#    (ggml-cuda/sum.cu includes CUB). CUDA 12 accepts C++17 as well.
# Nothing else: GGML_NO_OPENMP, GGML_CUDA etc. are passed on the make command line.
#
# Recipes expand CFLAGS/CXXFLAGS/NVCCFLAGS when they run, i.e. after this file is fully read, so
# re-assigning them here (after `include Makefile`) is enough.
include Makefile

WHISPER_CPU_FLAGS ?= -march=x86-64-v3 -mtune=generic
NATIVE_FLAGS := -march=native -mtune=native

override CFLAGS   := $(filter-out $(NATIVE_FLAGS),$(CFLAGS)) $(WHISPER_CPU_FLAGS)
override CXXFLAGS := $(filter-out $(NATIVE_FLAGS),$(CXXFLAGS)) $(WHISPER_CPU_FLAGS) -std=c++17

ifdef GGML_CUDA
# CUDA_CXXFLAGS reach the host compiler through -Xcompiler; they carry upstream's -std=c++11 too.
override CUDA_CXXFLAGS := $(filter-out -std=c++11,$(CUDA_CXXFLAGS))
override NVCCFLAGS := $(filter-out -std=c++11,$(NVCCFLAGS)) -std=c++17
endif

ifdef WHISPER_CUDA_GENCODE
override NVCCFLAGS := $(filter-out -arch=%,$(NVCCFLAGS)) $(WHISPER_CUDA_GENCODE)
endif

# Prints the final flags, so CI logs show exactly what was compiled with.
.PHONY: print-flags
print-flags:
	@echo "CFLAGS    = $(CFLAGS)"
	@echo "CXXFLAGS  = $(CXXFLAGS)"
	@echo "NVCCFLAGS = $(NVCCFLAGS)"
	@echo "CUDAHOSTFLAGS = $(CUDA_CXXFLAGS)"
	@echo "LDFLAGS   = $(LDFLAGS)"
