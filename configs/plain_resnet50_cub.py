# Plain fine-tuning baseline, ResNet-50, CUB-200-2011.
# The short entry point of the config in configs/softft/.
_base_ = ['./softft/plain_resnet50_8xb8_cub.py']
