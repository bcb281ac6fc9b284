package dev.lustrecsi.controller.cluster;

/**
 * What a new filesystem gets where its StorageClass says nothing: set once per installation
 * (Helm values, controller flags), so StorageClasses stay short.
 *
 * @param serverImage the Lustre server VM image (containerDisk)
 * @param storageNetwork the NetworkAttachmentDefinition for LNet
 * @param storageCidr the range server addresses come from
 */
public record ServerDefaults(String serverImage, String storageNetwork, String storageCidr) {
  public ServerDefaults {
    serverImage = serverImage == null ? "" : serverImage;
    storageNetwork = storageNetwork == null ? "" : storageNetwork;
    storageCidr = storageCidr == null ? "" : storageCidr;
  }
}
