"""Attachments (附件) on proposals and replies: PDF, Word, Excel, JPEG and PNG files, checked by
content, stored outside the static folder under random names and served only to those entitled
"""
