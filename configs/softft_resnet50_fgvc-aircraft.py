# Soft fine-tuning, ResNet-50, FGVC-Aircraft.
# The short entry point of the config in configs/softft/.
_base_ = ['./softft/softft_resnet50_8xb8_fgvc-aircraft.py']
